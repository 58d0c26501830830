import csv
import io
from pathlib import Path

import streamlit as st

CACHE = Path("tmp")

st.title("Sales dashboard")

uploaded = st.file_uploader("Upload a CSV of sales", type="csv")
if uploaded is not None:
    (CACHE / uploaded.name).write_bytes(uploaded.getvalue())

files = sorted(CACHE.glob("*.csv"))
st.write(f"{len(files)} cached file(s)")
for path in files:
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    st.subheader(path.name)
    st.table(rows[:20])
