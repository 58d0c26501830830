import { useState } from 'react';

const initial = [
  { name: 'Fern', days: 3 },
  { name: 'Basil', days: 1 },
];

export default function App() {
  const [plants, setPlants] = useState(initial);
  const water = (name) => setPlants((ps) => ps.map((p) => (p.name === name ? { ...p, days: 0 } : p)));
  return (
    <main>
      <h1>Plant tracker</h1>
      <ul>
        {plants.map((p) => (
          <li key={p.name}>
            {p.name}: watered {p.days} day(s) ago <button onClick={() => water(p.name)}>water</button>
          </li>
        ))}
      </ul>
    </main>
  );
}
