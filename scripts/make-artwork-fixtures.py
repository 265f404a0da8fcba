#!/usr/bin/env python3
"""Writes the small artwork fixtures of the publish-gate tests into
tests/fixtures/artwork/ with Pillow (`pip install pillow`), an encoder
nobody on this project wrote: a JPEG that passes Apple's rules, and the
same picture as CMYK and greyscale JPEGs, which do not."""
from pathlib import Path

from PIL import Image

out = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "artwork"
out.mkdir(parents=True, exist_ok=True)
rgb = Image.new("RGB", (1400, 1400), (29, 58, 110))
rgb.save(out / "cover-rgb.jpg", quality=60)
rgb.convert("CMYK").save(out / "cover-cmyk.jpg", quality=60)
rgb.convert("L").resize((1500, 1500)).save(out / "cover-grey-1500.jpg", quality=60)
for f in sorted(out.iterdir()):
    print(f.relative_to(out.parent.parent.parent), f.stat().st_size)
