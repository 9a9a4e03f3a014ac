/**
 * Reads one line from stdin. On a terminal it asks with `question` on stderr and does not echo
 * what is typed (a token must not stay on screen or in scrollback); piped, it reads the first line.
 */
export async function readHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return (await readAll(stdin)).split(/\r?\n/)[0].trim();
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let typed = '';
      const onData = (chunk: string) => {
        for (const char of chunk) {
          if (char === '\r' || char === '\n') {
            stdin.off('data', onData);
            resolve(typed.trim());
            return;
          }
          if (char === '\u0003') {
            stdin.off('data', onData);
            reject(new Error('interrupted'));
            return;
          }
          if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
          else typed += char;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}
