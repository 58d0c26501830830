const nav = '<nav><a data-route href="/">Home</a> | <a data-route href="/notes">Notes</a></nav>';

export const routes = {
  '/': () => `${nav}<h1>Field notes</h1><p>Pick a page.</p>`,
  '/notes': () => `${nav}<h1>Notes</h1><ul><li>Heron at the weir</li><li>Frost on the north field</li></ul>`,
};
