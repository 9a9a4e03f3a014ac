import { Argument, type Command } from 'commander';

/** Every command path (`keymint`, `keymint keys`, `keymint keys create`, …; bash keys cannot be empty) with the words that may follow it: subcommands and flags. */
function completionWords(command: Command, path: string): [string, string[]][] {
  const words = [...command.commands.map((c) => c.name()), ...command.options.map((o) => o.long ?? o.short ?? '').filter(Boolean), '--help'];
  return [[path, words], ...command.commands.flatMap((c) => completionWords(c, `${path} ${c.name()}`))];
}

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

/**
 * A bash completion script generated from the command tree (so it cannot fall behind it); zsh
 * loads the same through `bashcompinit`. The function walks the words typed so far, keeping
 * those that extend a known command path, and offers what may follow that path.
 */
export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const table = completionWords(program, 'keymint')
    .map(([path, words]) => `  [${quote(path)}]=${quote(words.join(' '))}`)
    .join('\n');
  const bash = `declare -A _keymint_words=(
${table}
)
_keymint() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" km_path=keymint word candidate
  # The length as arithmetic: zsh reads \${…:1:COMP_CWORD-1} as a :C modifier.
  for word in "\${COMP_WORDS[@]:1:$((COMP_CWORD - 1))}"; do
    candidate="$km_path $word"
    [[ $word != -* && -n "\${_keymint_words[$candidate]+set}" ]] && km_path="$candidate"
  done
  COMPREPLY=($(compgen -W "\${_keymint_words[$km_path]}" -- "$cur"))
}
complete -F _keymint keymint
`;
  return shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${bash}` : bash;
}

/** `keymint completion bash|zsh`: prints the script to source (e.g. `source <(keymint completion bash)`). */
export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(keymint completion bash), or zsh')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      process.stdout.write(completionScript(program, shell));
    });
}
