"""WCAG 2.1 contrast ratio between two #RRGGBB colours."""


def _luminance(colour):
    colour = colour.lstrip("#")
    if len(colour) != 6:
        raise ValueError(f"not a #RRGGBB colour: {colour!r}")
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground, background):
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
