"""An RGB colour from the colour table -> emitter levels for RGB, RGBW and RGBA fixtures."""

from .settings import load_data

RGB = tuple[float, float, float]


def emitter_colours() -> dict[str, RGB]:
    emitters = load_data("mixing")["emitters"]
    assert isinstance(emitters, dict)
    return {name: (float(c[0]), float(c[1]), float(c[2])) for name, c in emitters.items()}


def mix(rgb: RGB, extras: tuple[str, ...], emitters: dict[str, RGB]) -> dict[str, float]:
    """Levels 0..255 per emitter. Each extra emitter (white, amber) takes the largest share it can make."""
    r, g, b = rgb
    levels: dict[str, float] = {}
    for name in extras:
        er, eg, eb = emitters[name]
        share = min(c / e for c, e in ((r, er), (g, eg), (b, eb)) if e > 0)
        share = max(0.0, min(1.0, share))
        levels[name] = share * 255.0
        r, g, b = r - share * er, g - share * eg, b - share * eb
    levels.update(red=max(0.0, r), green=max(0.0, g), blue=max(0.0, b))
    return levels
