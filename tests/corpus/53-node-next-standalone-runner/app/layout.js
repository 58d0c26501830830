export const metadata = {
  title: process.env.NEXT_PUBLIC_SITE_NAME || 'Harbour timetable',
};

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', margin: '2rem' }}>{children}</body>
    </html>
  );
}
