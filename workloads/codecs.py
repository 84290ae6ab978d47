"""Codec settings handed to ``cv2.imwrite`` / ``cv2.imencode``."""
from __future__ import annotations

from dataclasses import dataclass

CODECS = ("jpg", "png")


@dataclass(frozen=True)
class Codec:
    name: str = "jpg"
    jpeg_quality: int = 95
    png_level: int = 3

    def __post_init__(self):
        if self.name not in CODECS:
            raise ValueError(f"codec {self.name!r} is not one of {', '.join(CODECS)}")
        if not 0 <= self.jpeg_quality <= 100:
            raise ValueError("JPEG quality must be between 0 and 100")
        if not 0 <= self.png_level <= 9:
            raise ValueError("PNG compression level must be between 0 and 9")

    @property
    def ext(self) -> str:
        return "." + self.name

    @property
    def label(self) -> str:
        return f"jpg-q{self.jpeg_quality}" if self.name == "jpg" else f"png-l{self.png_level}"

    def params(self) -> list[int]:
        import cv2

        if self.name == "jpg":
            return [cv2.IMWRITE_JPEG_QUALITY, self.jpeg_quality]
        return [cv2.IMWRITE_PNG_COMPRESSION, self.png_level]
