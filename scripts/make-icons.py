#!/usr/bin/env python3
"""Draws Machi's app icons: a small white town (tower, house, building on a street) on deep teal.

Shapes only, no fonts, so every machine draws the same pixels. Writes public/icons/: icon.svg
(also the favicon), icon-192.png, icon-512.png (rounded square, transparent corners),
maskable-512.png (full-bleed, town inside the central safe zone) and apple-touch-icon-180.png
(full-bleed: iOS rounds the corners itself). The PNGs are committed; re-run after a design change:
    pip install pillow && python3 scripts/make-icons.py
"""

from pathlib import Path

from PIL import Image, ImageDraw

TEAL = "#0b6e69"
WHITE = "#ffffff"
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"
SUPERSAMPLE = 4  # draw large, then downsample: smooth edges without an anti-aliasing renderer

# The town on a 100x100 grid, centred. Each entry: (kind, colour, geometry).
DY = -5  # moves the drawing (y 31..79) to the vertical centre
TOWN = [
    # tall building on the left, with four rows of windows
    ("rect", WHITE, (18, 34, 32, 74)),
    *[("rect", TEAL, (x, y, x + 3, y + 4)) for x in (21, 26) for y in (39, 47, 55, 63)],
    # the house: pitched roof, body, round attic window and door
    ("poly", WHITE, [(34, 53), (50, 31), (66, 53)]),
    ("rect", WHITE, (38, 52, 62, 74)),
    ("circle", TEAL, (50, 45, 3.2)),
    ("rect", TEAL, (46, 61, 54, 74)),
    # lower building on the right
    ("rect", WHITE, (68, 46, 82, 74)),
    *[("rect", TEAL, (x, y, x + 3, y + 4)) for x in (71, 76) for y in (51, 59)],
    # the street
    ("rect", WHITE, (14, 74, 86, 79)),
]


def transform(scale):
    """Maps grid points: shift to centre, then scale around (50, 50)."""
    return lambda x, y: (50 + (x - 50) * scale, 50 + (y + DY - 50) * scale)


def draw_png(size, *, rounded, scale):
    px = size * SUPERSAMPLE / 100  # pixels per grid unit
    img = Image.new("RGBA", (size * SUPERSAMPLE,) * 2, (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    full = (0, 0, size * SUPERSAMPLE - 1, size * SUPERSAMPLE - 1)
    if rounded:
        d.rounded_rectangle(full, radius=22 * px, fill=TEAL)
    else:
        d.rectangle(full, fill=TEAL)
    t = transform(scale)
    for kind, colour, g in TOWN:
        if kind == "rect":
            (x0, y0), (x1, y1) = t(g[0], g[1]), t(g[2], g[3])
            d.rectangle((x0 * px, y0 * px, x1 * px - 1, y1 * px - 1), fill=colour)
        elif kind == "poly":
            d.polygon([tuple(c * px for c in t(x, y)) for x, y in g], fill=colour)
        elif kind == "circle":
            (cx, cy), r = t(g[0], g[1]), g[2] * scale
            d.ellipse(((cx - r) * px, (cy - r) * px, (cx + r) * px, (cy + r) * px), fill=colour)
    return img.resize((size, size), Image.LANCZOS)


def svg():
    t = transform(1.0)
    f = lambda v: f"{v:g}"  # noqa: E731 — short number format
    parts = [f'<rect width="100" height="100" rx="22" fill="{TEAL}"/>']
    for kind, colour, g in TOWN:
        if kind == "rect":
            (x0, y0), (x1, y1) = t(g[0], g[1]), t(g[2], g[3])
            parts.append(
                f'<rect x="{f(x0)}" y="{f(y0)}" width="{f(x1 - x0)}" height="{f(y1 - y0)}" fill="{colour}"/>'
            )
        elif kind == "poly":
            pts = " ".join(f"{f(x)},{f(y)}" for x, y in (t(*p) for p in g))
            parts.append(f'<polygon points="{pts}" fill="{colour}"/>')
        elif kind == "circle":
            cx, cy = t(g[0], g[1])
            parts.append(f'<circle cx="{f(cx)}" cy="{f(cy)}" r="{f(g[2])}" fill="{colour}"/>')
    body = "\n  ".join(parts)
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" role="img" aria-label="Machi">\n'
        f"  {body}\n</svg>\n"
    )


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "icon.svg").write_text(svg())
    draw_png(192, rounded=True, scale=1.0).save(OUT / "icon-192.png", optimize=True)
    draw_png(512, rounded=True, scale=1.0).save(OUT / "icon-512.png", optimize=True)
    # Maskable: the town must sit inside the central circle of radius 40% (the safe zone);
    # at 0.78 its farthest corner is ~35% from the centre.
    draw_png(512, rounded=False, scale=0.78).convert("RGB").save(OUT / "maskable-512.png", optimize=True)
    draw_png(180, rounded=False, scale=0.85).convert("RGB").save(OUT / "apple-touch-icon-180.png", optimize=True)
    for p in sorted(OUT.iterdir()):
        print(f"{p.relative_to(OUT.parent.parent)}  {p.stat().st_size} B")


if __name__ == "__main__":
    main()
