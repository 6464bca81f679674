#!/usr/bin/env python3
"""Render a terminal screen dump (tmux `capture-pane -e -p`) to a PNG.

    python3 Scripts/render-terminal-png.py INPUT.ansi OUTPUT.png [--cols N] [--rows N]
                                           [--title TEXT] [--font-size PX]

INPUT is text with ANSI SGR escapes (8/16 colours, 256-colour 38;5;N / 48;5;N, truecolor
38;2;R;G;B, bold, dim, italic, underline, reverse, strike-through, hidden, resets); other
escape sequences are skipped. "-" reads standard input. Attributes carry over from one line
to the next, as tmux writes them.

The grid is drawn cell by cell in DejaVu Sans Mono on a dark theme. Box drawing
(U+2500-U+257F), block elements (U+2580-U+259F, e.g. the sparkline bars) and braille
(U+2800-U+28FF) are drawn as rectangles and lines rather than with the font, so lines join
and bars sit flush. East Asian wide characters take two cells; a character no font has is
drawn as an outlined box of its width.

Needs Pillow (pip install pillow, or apt-get install -y python3-pil) and the DejaVu fonts
(apt-get install -y fonts-dejavu-core).
"""
import argparse
import math
import os
import re
import sys
import unicodedata

try:
    from PIL import Image, ImageDraw, ImageFont
except ImportError:
    sys.stderr.write(
        "render-terminal-png: error: Pillow is not installed.\n"
        "  install it with:  pip install pillow   (or: apt-get install -y python3-pil)\n")
    sys.exit(2)

FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/TTF",
             "/usr/share/fonts/dejavu", "/usr/local/share/fonts"]
MONO = "DejaVuSansMono.ttf"
MONO_BOLD = "DejaVuSansMono-Bold.ttf"
MONO_ITALIC = "DejaVuSansMono-Oblique.ttf"           # fonts-dejavu-extra; optional
MONO_BOLD_ITALIC = "DejaVuSansMono-BoldOblique.ttf"  # fonts-dejavu-extra; optional
SANS = "DejaVuSans.ttf"                              # wider coverage: the glyph fallback
SANS_BOLD = "DejaVuSans-Bold.ttf"
# Further fallbacks, used only if installed (e.g. for CJK or symbols).
EXTRA_FALLBACKS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf",
    "/usr/share/fonts/truetype/unifont/unifont.ttf",
    "/usr/share/fonts/opentype/unifont/unifont.otf",
]

# Theme (Catppuccin-Mocha-like).
THEME_BG = (0x1e, 0x1e, 0x2e)
THEME_FG = (0xcd, 0xd6, 0xf4)
TITLE_BG = (0x18, 0x18, 0x25)
TITLE_FG = (0xa6, 0xad, 0xc8)
PALETTE16 = [
    (0x45, 0x47, 0x5a),  # 0 black
    (0xf3, 0x8b, 0xa8),  # 1 red
    (0xa6, 0xe3, 0xa1),  # 2 green
    (0xf9, 0xe2, 0xaf),  # 3 yellow
    (0x89, 0xb4, 0xfa),  # 4 blue
    (0xf5, 0xc2, 0xe7),  # 5 magenta
    (0x94, 0xe2, 0xd5),  # 6 cyan
    (0xba, 0xc2, 0xde),  # 7 white
    (0x58, 0x5b, 0x70),  # 8 bright black
    (0xff, 0xa0, 0xbb),  # 9 bright red
    (0xb8, 0xf0, 0xb3),  # 10 bright green
    (0xff, 0xec, 0xc2),  # 11 bright yellow
    (0xa3, 0xc6, 0xff),  # 12 bright blue
    (0xff, 0xd3, 0xf0),  # 13 bright magenta
    (0xa8, 0xef, 0xe3),  # 14 bright cyan
    (0xe6, 0xea, 0xf5),  # 15 bright white
]


def palette256(n):
    if n < 16:
        return PALETTE16[n]
    if n < 232:
        n -= 16
        levels = (0, 95, 135, 175, 215, 255)
        return (levels[n // 36], levels[(n // 6) % 6], levels[n % 6])
    v = 8 + 10 * (n - 232)
    return (v, v, v)


def blend(a, b, t):
    """a*(1-t) + b*t"""
    return tuple(int(round(x * (1 - t) + y * t)) for x, y in zip(a, b))


# ---------------------------------------------------------------------------------------
# Parsing

class Attr:
    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline", "reverse", "hidden",
                 "strike")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None          # None = theme default, else (r, g, b)
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = False
        self.reverse = self.hidden = self.strike = False

    def copy(self):
        a = Attr.__new__(Attr)
        for k in Attr.__slots__:
            setattr(a, k, getattr(self, k))
        return a

    def key(self):
        return tuple(getattr(self, k) for k in Attr.__slots__)


def parse_extended_colour(params, i):
    """params[i] is 38/48/58; returns (colour or None, next index). Handles both the
    semicolon form (38;5;N, 38;2;R;G;B) and the colon form (38:5:N, 38:2::R:G:B)."""
    p = params[i]
    if len(p) > 1:  # colon form: everything is in this one parameter
        sub = p[1:]
        if sub and sub[0] == 5 and len(sub) >= 2:
            return palette256(sub[1] % 256), i + 1
        if sub and sub[0] == 2:
            rgb = sub[1:]
            if len(rgb) >= 4:       # 38:2:CS:R:G:B (colour-space id present, maybe empty)
                rgb = rgb[1:4]
            if len(rgb) >= 3:
                return tuple(max(0, min(255, v)) for v in rgb[:3]), i + 1
        return None, i + 1
    kind = params[i + 1][0] if i + 1 < len(params) else None
    if kind == 5 and i + 2 < len(params):
        return palette256(params[i + 2][0] % 256), i + 3
    if kind == 2 and i + 4 < len(params):
        return tuple(max(0, min(255, params[i + k][0])) for k in (2, 3, 4)), i + 5
    return None, len(params)


def apply_sgr(attr, raw):
    if raw == "":
        attr.reset()
        return
    params = []
    for part in raw.split(";"):
        sub = [int(s) if s.isdigit() else 0 for s in part.split(":")]
        params.append(sub)
    i = 0
    while i < len(params):
        p = params[i][0]
        if p == 0:
            attr.reset()
        elif p == 1:
            attr.bold = True
        elif p == 2:
            attr.dim = True
        elif p == 3:
            attr.italic = True
        elif p == 4:
            # 4:0 = underline off, 4:N (N>0) = some underline style
            attr.underline = not (len(params[i]) > 1 and params[i][1] == 0)
        elif p == 7:
            attr.reverse = True
        elif p == 8:
            attr.hidden = True
        elif p == 9:
            attr.strike = True
        elif p == 21:
            attr.underline = True   # double underline (ECMA-48); drawn as single
        elif p == 22:
            attr.bold = attr.dim = False
        elif p == 23:
            attr.italic = False
        elif p == 24:
            attr.underline = False
        elif p == 27:
            attr.reverse = False
        elif p == 28:
            attr.hidden = False
        elif p == 29:
            attr.strike = False
        elif 30 <= p <= 37:
            attr.fg = PALETTE16[p - 30]
        elif p == 38:
            c, i = parse_extended_colour(params, i)
            if c is not None:
                attr.fg = c
            continue
        elif p == 39:
            attr.fg = None
        elif 40 <= p <= 47:
            attr.bg = PALETTE16[p - 40]
        elif p == 48:
            c, i = parse_extended_colour(params, i)
            if c is not None:
                attr.bg = c
            continue
        elif p == 49:
            attr.bg = None
        elif p == 58:
            _, i = parse_extended_colour(params, i)  # underline colour: ignored
            continue
        elif 90 <= p <= 97:
            attr.fg = PALETTE16[p - 90 + 8]
        elif 100 <= p <= 107:
            attr.bg = PALETTE16[p - 100 + 8]
        i += 1


def char_width(ch):
    if unicodedata.combining(ch) or ch in "\u200b\u200c\u200d\ufe0e\ufe0f":
        return 0
    cat = unicodedata.category(ch)
    if cat in ("Mn", "Me", "Cf"):
        return 0
    if unicodedata.east_asian_width(ch) in ("W", "F"):
        return 2
    return 1


ESC_RE = re.compile(
    r"\x1b\[([0-9;:?<=>]*)([ -/]*)([@-~])"     # CSI
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"      # OSC ... BEL/ST
    r"|\x1b[PX^_][^\x1b]*\x1b\\"               # DCS/SOS/PM/APC ... ST
    r"|\x1b[()*+][0-9A-Za-z]"                  # charset designation
    r"|\x1b[ -/]*[0-~]"                        # other two-byte escapes
)


class Cell:
    __slots__ = ("text", "attr", "width")

    def __init__(self, text, attr, width):
        self.text = text      # "" for an empty or continuation cell
        self.attr = attr
        self.width = width    # 1, 2 (wide char), 0 (continuation of a wide char)


def parse(data):
    """Returns a list of rows, each a list of Cells (ragged)."""
    lines = data.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    attr = Attr()
    rows = []
    for line in lines:
        row = []
        col = 0
        pos = 0

        def put(ch):
            nonlocal col
            w = char_width(ch)
            if w == 0:
                # combining mark: join it to the previous printed cell
                for c in reversed(row[:col]):
                    if c.width > 0:
                        c.text += ch
                        break
                return
            while len(row) < col + w:
                row.append(Cell("", attr.copy(), 1))
            row[col] = Cell(ch, attr.copy(), w)
            if w == 2:
                row[col + 1] = Cell("", attr.copy(), 0)
            col += w

        for m in ESC_RE.finditer(line):
            for ch in line[pos:m.start()]:
                if ch == "\t":
                    nxt = (col // 8 + 1) * 8
                    while col < nxt:
                        put(" ")
                elif ch == "\r":
                    col = 0
                elif ch < " " or ch == "\x7f":
                    pass
                else:
                    put(ch)
            pos = m.end()
            if m.group(3) == "m" and not m.group(2) and not (m.group(1) or "").startswith(("?", "<", "=", ">")):
                apply_sgr(attr, m.group(1))
        for ch in line[pos:]:
            if ch == "\t":
                nxt = (col // 8 + 1) * 8
                while col < nxt:
                    put(" ")
            elif ch == "\r":
                col = 0
            elif ch < " " or ch == "\x7f" or ch == "\x1b":
                pass
            else:
                put(ch)
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------
# Fonts

def find_font(name, required=True, extra_dir=None):
    dirs = ([extra_dir] if extra_dir else []) + FONT_DIRS
    for d in dirs:
        path = os.path.join(d, name)
        if os.path.isfile(path):
            return path
    if required:
        sys.stderr.write(
            "render-terminal-png: error: font %s not found (looked in %s).\n"
            "  install it with:  apt-get install -y fonts-dejavu-core\n" % (name, ", ".join(dirs)))
        sys.exit(2)
    return None


class Fonts:
    def __init__(self, size, font_path=None, bold_path=None):
        if font_path:
            if not os.path.isfile(font_path):
                sys.stderr.write("render-terminal-png: error: font %s not found\n" % font_path)
                sys.exit(2)
            mono = font_path
            mono_bold = bold_path or font_path
        else:
            mono = find_font(MONO)
            mono_bold = find_font(MONO_BOLD)
        italic = find_font(MONO_ITALIC, required=False) or mono
        bold_italic = find_font(MONO_BOLD_ITALIC, required=False) or mono_bold
        self.size = size
        self.faces = {
            (False, False): ImageFont.truetype(mono, size),
            (True, False): ImageFont.truetype(mono_bold, size),
            (False, True): ImageFont.truetype(italic, size),
            (True, True): ImageFont.truetype(bold_italic, size),
        }
        regular = self.faces[(False, False)]
        self.cell_w = max(1, int(round(regular.getlength("M"))))
        ascent, descent = regular.getmetrics()
        self.ascent = ascent
        self.cell_h = ascent + descent + max(1, size // 8)
        self.baseline = ascent + max(1, size // 8) // 2
        self.fallbacks = []
        for path in [find_font(SANS, required=False)] + EXTRA_FALLBACKS:
            if path and os.path.isfile(path):
                try:
                    self.fallbacks.append(ImageFont.truetype(path, size))
                except OSError:
                    pass
        sans_bold = find_font(SANS_BOLD, required=False)
        self.title = ImageFont.truetype(sans_bold or mono_bold, max(10, size - 2))
        self._has = {}
        self._notdef = {}

    def _notdef_sig(self, font):
        key = id(font)
        if key not in self._notdef:
            self._notdef[key] = self._sig(font, "\U0010fffd")
        return self._notdef[key]

    @staticmethod
    def _sig(font, ch):
        mask = font.getmask(ch)
        return (mask.size, bytes(mask))

    def has_glyph(self, font, ch):
        key = (id(font), ch)
        if key not in self._has:
            if ch.isspace():
                self._has[key] = True
            else:
                self._has[key] = self._sig(font, ch[0]) != self._notdef_sig(font)
        return self._has[key]

    def pick(self, ch, bold, italic):
        face = self.faces[(bold, italic)]
        if self.has_glyph(face, ch):
            return face
        for fb in self.fallbacks:
            if self.has_glyph(fb, ch):
                return fb
        return None


# ---------------------------------------------------------------------------------------
# Box drawing, block elements and braille, drawn as shapes

LIGHT, HEAVY, DOUBLE = 1, 2, 3
_WEIGHTS = {"LIGHT": LIGHT, "SINGLE": LIGHT, "HEAVY": HEAVY, "DOUBLE": DOUBLE}
_DIRS = {"UP": ("u",), "DOWN": ("d",), "LEFT": ("l",), "RIGHT": ("r",),
         "VERTICAL": ("u", "d"), "HORIZONTAL": ("l", "r")}


def box_spec(ch):
    """For a U+2500-U+257F character: ('lines', {dir: weight}) | ('dash', weight, vertical,
    count) | ('arc', dirs) | ('diag', which) - worked out from the Unicode character name."""
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    if not name.startswith("BOX DRAWINGS "):
        return None
    words = name[len("BOX DRAWINGS "):].split()
    if "DIAGONAL" in words:
        if "CROSS" in words:
            return ("diag", "x")
        return ("diag", "/" if words[-1] == "LEFT" and "UPPER" in words and words[words.index("UPPER") + 1] == "RIGHT" else "\\")
    if "DASH" in words:
        count = {"DOUBLE": 2, "TRIPLE": 3, "QUADRUPLE": 4}[words[1]]
        return ("dash", _WEIGHTS[words[0]], words[-1] == "VERTICAL", count)
    if "ARC" in words:
        dirs = {_DIRS[w][0] for w in words if w in ("UP", "DOWN", "LEFT", "RIGHT")}
        return ("arc", dirs)
    words = [w for w in words if w != "AND"]
    arms = {}
    if words[0] in _WEIGHTS:     # "LIGHT DOWN AND RIGHT", "LIGHT LEFT AND HEAVY RIGHT"
        weight = None
        for w in words:
            if w in _WEIGHTS:
                weight = _WEIGHTS[w]
            elif w in _DIRS:
                for d in _DIRS[w]:
                    arms[d] = weight
    else:                        # "DOWN LIGHT AND RIGHT HEAVY", "LEFT UP HEAVY AND RIGHT DOWN LIGHT"
        pending = []
        for w in words:
            if w in _DIRS:
                pending.extend(_DIRS[w])
            elif w in _WEIGHTS:
                for d in pending:
                    arms[d] = _WEIGHTS[w]
                pending = []
    if not arms:
        return None
    return ("lines", arms)


class Shapes:
    def __init__(self, cw, ch):
        self.cw, self.ch = cw, ch
        self.t1 = max(1, int(round(cw / 9.0)))        # light line thickness
        self.t2 = max(self.t1 + 1, int(round(cw / 4.5)))  # heavy
        self.gap = max(self.t1 + 1, int(round(cw / 4.0)))  # half distance of a double line
        self._spec = {}

    def covers(self, c):
        o = ord(c[0])
        return len(c) == 1 and (0x2500 <= o <= 0x259F or 0x2800 <= o <= 0x28FF)

    @staticmethod
    def _rect(draw, x0, y0, x1, y1, fill):
        # inclusive-exclusive box in float coordinates, snapped to pixels
        # floor(v + 0.5), not round(): banker's rounding would turn a 1-px line at a .5
        # position into 0 or 2 px depending on the cell's parity
        x0, y0, x1, y1 = (int(math.floor(v + 0.5)) for v in (x0, y0, x1, y1))
        if x1 > x0 and y1 > y0:
            draw.rectangle([x0, y0, x1 - 1, y1 - 1], fill=fill)

    def draw(self, draw, c, x, y, w, fg, bg):
        """Draw shape character c in the cell at (x, y), w cells wide. True if handled."""
        o = ord(c)
        cw = self.cw * w
        ch = self.ch
        if 0x2580 <= o <= 0x259F:
            self._block(draw, o, x, y, cw, ch, fg, bg)
            return True
        if 0x2800 <= o <= 0x28FF:
            self._braille(draw, o - 0x2800, x, y, cw, ch, fg)
            return True
        if c not in self._spec:
            self._spec[c] = box_spec(c)
        spec = self._spec[c]
        if spec is None:
            return False
        kind = spec[0]
        if kind == "lines":
            self._lines(draw, spec[1], x, y, cw, ch, fg)
        elif kind == "dash":
            self._dash(draw, spec[1], spec[2], spec[3], x, y, cw, ch, fg)
        elif kind == "arc":
            self._arc(draw, spec[1], x, y, cw, ch, fg)
        elif kind == "diag":
            t = self.t1
            if spec[1] in ("/", "x"):
                draw.line([(x + cw, y), (x, y + ch)], fill=fg, width=t)
            if spec[1] in ("\\", "x"):
                draw.line([(x, y), (x + cw, y + ch)], fill=fg, width=t)
        return True

    def _thick(self, weight):
        return self.t2 if weight == HEAVY else self.t1

    def _lines(self, draw, arms, x, y, cw, ch, fg):
        cx = x + cw // 2
        cy = y + ch // 2
        g = self.gap
        t1 = self.t1
        R = self._rect
        vert_double = any(arms.get(d) == DOUBLE for d in "ud")
        horiz_double = any(arms.get(d) == DOUBLE for d in "lr")
        # the widest perpendicular stroke half-width, so single arms overlap the centre
        def half_perp(dirs):
            ws = [arms[d] for d in dirs if d in arms]
            if not ws:
                return 0
            if DOUBLE in ws:
                return g + t1 / 2.0
            return max(self._thick(wt) for wt in ws) / 2.0

        for d, weight in arms.items():
            horizontal = d in "lr"
            perp = "ud" if horizontal else "lr"
            if weight != DOUBLE:
                t = self._thick(weight)
                # how far past the centre the arm reaches
                perp_double = vert_double if horizontal else horiz_double
                if perp_double:
                    through = all(arms.get(p) == DOUBLE for p in perp)
                    reach = -(g - t1 / 2.0) if through else (g + t1 / 2.0)
                    # through double line: stop at its near stroke; corner: reach the far one
                else:
                    reach = max(t / 2.0, half_perp(perp))
                if d == "r":
                    R(draw, cx - reach, cy - t / 2.0, x + cw, cy + t / 2.0, fg)
                elif d == "l":
                    R(draw, x, cy - t / 2.0, cx + reach, cy + t / 2.0, fg)
                elif d == "d":
                    R(draw, cx - t / 2.0, cy - reach, cx + t / 2.0, y + ch, fg)
                else:
                    R(draw, cx - t / 2.0, y, cx + t / 2.0, cy + reach, fg)
                continue
            # a double arm: two strokes at -g and +g across the arm's axis
            p_neg, p_pos = ("u", "d") if horizontal else ("l", "r")
            for side, sign in ((p_neg, -1), (p_pos, +1)):
                other = p_pos if side == p_neg else p_neg
                if arms.get(side) == DOUBLE:
                    start = g                      # inner corner: stop at the crossing stroke
                elif arms.get(other) == DOUBLE:
                    start = -g                     # outer corner: reach the far stroke
                elif side in arms or other in arms:
                    start = -half_perp((side, other))  # single perpendicular: meet its line
                else:
                    opposite = {"l": "r", "r": "l", "u": "d", "d": "u"}[d]
                    start = 0 if opposite in arms else t1 / 2.0
                off = sign * g
                if d == "r":
                    R(draw, cx + start - t1 / 2.0, cy + off - t1 / 2.0, x + cw, cy + off + t1 / 2.0, fg)
                elif d == "l":
                    R(draw, x, cy + off - t1 / 2.0, cx - start + t1 / 2.0, cy + off + t1 / 2.0, fg)
                elif d == "d":
                    R(draw, cx + off - t1 / 2.0, cy + start - t1 / 2.0, cx + off + t1 / 2.0, y + ch, fg)
                else:
                    R(draw, cx + off - t1 / 2.0, y, cx + off + t1 / 2.0, cy - start + t1 / 2.0, fg)

    def _dash(self, draw, weight, vertical, count, x, y, cw, ch, fg):
        t = self._thick(weight)
        length = ch if vertical else cw
        seg = length / float(count)
        dash = max(1.0, seg * 0.6)
        cx = x + cw // 2
        cy = y + ch // 2
        for i in range(count):
            a = i * seg + (seg - dash) / 2.0
            if vertical:
                self._rect(draw, cx - t / 2.0, y + a, cx + t / 2.0, y + a + dash, fg)
            else:
                self._rect(draw, x + a, cy - t / 2.0, x + a + dash, cy + t / 2.0, fg)

    def _arc(self, draw, dirs, x, y, cw, ch, fg):
        t = self.t1
        cx = x + cw // 2
        cy = y + ch // 2
        r = max(2, min(cw, ch) // 2)
        # circle centre is diagonally off the cell centre, towards the two arms
        ox = cx + (r if "r" in dirs else -r)
        oy = cy + (r if "d" in dirs else -r)
        bbox = [ox - r - t / 2.0, oy - r - t / 2.0, ox + r + t / 2.0 - 1, oy + r + t / 2.0 - 1]
        if "r" in dirs and "d" in dirs:
            start, end = 180, 270
        elif "l" in dirs and "d" in dirs:
            start, end = 270, 360
        elif "l" in dirs and "u" in dirs:
            start, end = 0, 90
        else:
            start, end = 90, 180
        draw.arc(bbox, start, end, fill=fg, width=t)
        # straight continuations from the arc's ends to the cell edges
        if "r" in dirs:
            self._rect(draw, ox, cy - t / 2.0, x + cw, cy + t / 2.0, fg)
        else:
            self._rect(draw, x, cy - t / 2.0, ox, cy + t / 2.0, fg)
        if "d" in dirs:
            self._rect(draw, cx - t / 2.0, oy, cx + t / 2.0, y + ch, fg)
        else:
            self._rect(draw, cx - t / 2.0, y, cx + t / 2.0, oy, fg)

    def _block(self, draw, o, x, y, cw, ch, fg, bg):
        R = self._rect
        if o == 0x2580:                       # ▀ upper half
            R(draw, x, y, x + cw, y + ch / 2.0, fg)
        elif 0x2581 <= o <= 0x2588:           # ▁..█ lower n/8
            n = o - 0x2580
            R(draw, x, y + ch - ch * n / 8.0, x + cw, y + ch, fg)
        elif 0x2589 <= o <= 0x258F:           # ▉..▏ left n/8
            n = 8 - (o - 0x2588)
            R(draw, x, y, x + cw * n / 8.0, y + ch, fg)
        elif o == 0x2590:                     # ▐ right half
            R(draw, x + cw / 2.0, y, x + cw, y + ch, fg)
        elif 0x2591 <= o <= 0x2593:           # ░ ▒ ▓ shades
            R(draw, x, y, x + cw, y + ch, blend(bg, fg, (o - 0x2590) / 4.0))
        elif o == 0x2594:                     # ▔ upper 1/8
            R(draw, x, y, x + cw, y + ch / 8.0, fg)
        elif o == 0x2595:                     # ▕ right 1/8
            R(draw, x + cw * 7 / 8.0, y, x + cw, y + ch, fg)
        else:                                 # quadrants ▖..▟
            quads = {0x2596: "3", 0x2597: "4", 0x2598: "1", 0x2599: "134",
                     0x259A: "14", 0x259B: "123", 0x259C: "124", 0x259D: "2",
                     0x259E: "23", 0x259F: "234"}[o]
            hx, hy = cw / 2.0, ch / 2.0
            for q in quads:
                qx = x + (hx if q in "24" else 0)
                qy = y + (hy if q in "34" else 0)
                R(draw, qx, qy, qx + hx, qy + hy, fg)

    def _braille(self, draw, bits, x, y, cw, ch, fg):
        # dot n (1..8) -> (column, row); bit n-1
        pos = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]
        r = max(1.0, min(cw / 4.0, ch / 8.0) * 0.9)
        for bit, (col, row) in enumerate(pos):
            if bits & (1 << bit):
                px = x + cw * (col * 2 + 1) / 4.0
                py = y + ch * (row * 2 + 1) / 8.0
                draw.ellipse([px - r, py - r, px + r - 1, py + r - 1], fill=fg)


# ---------------------------------------------------------------------------------------
# Rendering

def resolve_colours(attr):
    fg = attr.fg if attr.fg is not None else THEME_FG
    bg = attr.bg if attr.bg is not None else THEME_BG
    if attr.reverse:
        fg, bg = bg, fg
    if attr.dim:
        fg = blend(fg, bg, 0.45)
    if attr.hidden:
        fg = bg
    return fg, bg


def render(rows, cols, nrows, out_path, title, font_size, font_path=None, bold_path=None):
    fonts = Fonts(font_size, font_path, bold_path)
    cw, chh = fonts.cell_w, fonts.cell_h
    shapes = Shapes(cw, chh)
    pad = max(8, font_size)
    title_h = int(chh * 1.8) if title is not None else 0
    width = cols * cw + 2 * pad
    height = title_h + nrows * chh + 2 * pad
    img = Image.new("RGB", (width, height), THEME_BG)
    draw = ImageDraw.Draw(img)

    if title is not None:
        draw.rectangle([0, 0, width - 1, title_h - 1], fill=TITLE_BG)
        r = max(4, title_h // 6)
        for i, colour in enumerate(((0xf3, 0x8b, 0xa8), (0xf9, 0xe2, 0xaf), (0xa6, 0xe3, 0xa1))):
            cx = pad + r + i * (3 * r)
            cy = title_h // 2
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour)
        if title:
            tw = draw.textlength(title, font=fonts.title)
            draw.text(((width - tw) / 2.0, title_h / 2.0), title, font=fonts.title,
                      fill=TITLE_FG, anchor="lm")

    ox, oy = pad, title_h + pad
    # pass 1: backgrounds (so a glyph that overhangs its cell is not cut by the next cell)
    for r_i in range(nrows):
        row = rows[r_i] if r_i < len(rows) else []
        for c_i, cell in enumerate(row[:cols]):
            if cell.width == 0:
                continue
            fg, bg = resolve_colours(cell.attr)
            if bg != THEME_BG:
                w = min(cell.width, cols - c_i)
                x, y = ox + c_i * cw, oy + r_i * chh
                draw.rectangle([x, y, x + w * cw - 1, y + chh - 1], fill=bg)
    # pass 2: glyphs and decorations
    for r_i in range(nrows):
        row = rows[r_i] if r_i < len(rows) else []
        for c_i, cell in enumerate(row[:cols]):
            if cell.width == 0:
                continue
            fg, bg = resolve_colours(cell.attr)
            w = min(cell.width, cols - c_i)
            x, y = ox + c_i * cw, oy + r_i * chh
            text = cell.text
            if text and not text.isspace():
                if shapes.covers(text) and shapes.draw(draw, text, x, y, 1, fg, bg):
                    pass
                else:
                    face = fonts.pick(text, cell.attr.bold, cell.attr.italic)
                    if face is None:
                        # no font has it: an outlined box the width of the character
                        m = max(1, cw // 6)
                        draw.rectangle([x + m, y + m + 1, x + w * cw - 1 - m, y + chh - 2 - m],
                                       outline=fg)
                    else:
                        gw = face.getlength(text)
                        slot = w * cw
                        gx = x
                        if gw > slot + 0.5:
                            # too wide for its cells (a fallback font): squeeze it horizontally
                            glyph = Image.new("L", (int(gw) + 2, chh), 0)
                            ImageDraw.Draw(glyph).text((0, fonts.baseline), text, font=face,
                                                       fill=255, anchor="ls")
                            glyph = glyph.resize((slot, chh), Image.LANCZOS)
                            img.paste(Image.new("RGB", glyph.size, fg), (x, y), glyph)
                        else:
                            if face not in fonts.faces.values():
                                gx = x + (slot - gw) / 2.0   # centre fallback glyphs
                            draw.text((gx, y + fonts.baseline), text, font=face, fill=fg,
                                      anchor="ls")
                            if cell.attr.bold and face not in fonts.faces.values():
                                draw.text((gx + 1, y + fonts.baseline), text, font=face,
                                          fill=fg, anchor="ls")
            if cell.attr.underline:
                uy = y + fonts.baseline + max(1, font_size // 10)
                draw.rectangle([x, uy, x + w * cw - 1, uy + max(0, font_size // 16)], fill=fg)
            if cell.attr.strike:
                sy = y + fonts.baseline - fonts.ascent // 3
                draw.rectangle([x, sy, x + w * cw - 1, sy + max(0, font_size // 16)], fill=fg)
    img.save(out_path, "PNG", optimize=True)
    return img.size


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Render a tmux `capture-pane -e -p` dump (ANSI colours) to a PNG.")
    ap.add_argument("input", help="the capture (text with ANSI SGR escapes); - for stdin")
    ap.add_argument("output", help="the PNG to write")
    ap.add_argument("--cols", type=int, help="grid width (default: the widest line)")
    ap.add_argument("--rows", type=int, help="grid height (default: the number of lines)")
    ap.add_argument("--title", help="draw a window title bar with this text")
    ap.add_argument("--font-size", type=int, default=16, help="font size in pixels (16)")
    ap.add_argument("--font", help="a monospace TTF to use instead of DejaVu Sans Mono")
    ap.add_argument("--bold-font", help="its bold variant")
    args = ap.parse_args(argv)

    if args.input == "-":
        data = sys.stdin.buffer.read()
    else:
        with open(args.input, "rb") as f:
            data = f.read()
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    rows = parse(text)
    cols = args.cols or max([len(r) for r in rows] + [1])
    nrows = args.rows or max(1, len(rows))
    size = render(rows, cols, nrows, args.output, args.title, args.font_size, args.font,
                  args.bold_font)
    sys.stderr.write("render-terminal-png: wrote %s (%dx%d px, %dx%d cells)\n"
                     % (args.output, size[0], size[1], cols, nrows))


if __name__ == "__main__":
    main()
