// Regenerated at most every 30 s: the server writes the new page into .next/
export const revalidate = 30;

const sailings = [
  { time: '07:15', to: 'North Isle' },
  { time: '09:40', to: 'Gull Rock' },
  { time: '13:05', to: 'North Isle' },
];

export default function Home() {
  return (
    <main>
      <h1>{process.env.NEXT_PUBLIC_SITE_NAME || 'Harbour timetable'}</h1>
      <ul>
        {sailings.map((s) => (
          <li key={s.time}>
            {s.time} to {s.to}
          </li>
        ))}
      </ul>
      <p>Rendered at {new Date().toISOString()}</p>
    </main>
  );
}
