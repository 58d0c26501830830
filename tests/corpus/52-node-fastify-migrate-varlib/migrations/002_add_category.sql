ALTER TABLE entries ADD COLUMN category TEXT NOT NULL DEFAULT 'general';
CREATE INDEX entries_category ON entries (category);
