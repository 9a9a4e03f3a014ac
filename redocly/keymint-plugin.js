// Redocly plugin: the schema keyword the server validates beyond JSON Schema 2020-12, declared so
// that the `struct` rule knows it. `formatMaximum` (ajv-formats) bounds a `date-time`: the last
// instant RFC 3339 can write, which no standard keyword can say.
export default function keymintPlugin() {
  return {
    id: 'keymint',
    typeExtension: {
      oas3(types) {
        return { ...types, Schema: { ...types.Schema, properties: { ...types.Schema.properties, formatMaximum: { type: 'string' } } } };
      },
    },
  };
}
