"""Image references in product rows: URLs are taken on trust, local files are checked.

Seed 001: 1000×1000, 3MB 이하, jpg만, 파일명은 영문/숫자만. Reading JPEG dimensions
needs only the SOF marker, so no imaging library is required.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Final

MAX_BYTES = 3 * 2**20
SIZE = (1000, 1000)
FILE_NAME = re.compile(r"[A-Za-z0-9]+\.(jpg|jpeg)", re.IGNORECASE)
UNCHECKED: Final = "unchecked"
UNCHECKED_NOTE = "URL로 지정한 이미지는 크기·형식을 확인하지 못했습니다 (쇼핑몰 등록 때 확인됩니다)"


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from a JPEG's SOF segment, or None when it is not a JPEG."""
    if not data.startswith(b"\xff\xd8"):
        return None
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def check_image(ref: str, images_dir: Path | None) -> str | None:
    """A Korean problem, None when fine, or UNCHECKED for a URL."""
    if ref.startswith(("http://", "https://")):
        return UNCHECKED
    if not FILE_NAME.fullmatch(ref):
        return "파일명은 영문·숫자와 .jpg 확장자만 쓸 수 있습니다 (공백·특수문자·한글 불가)"
    if images_dir is None or not (images_dir / ref).is_file():
        return f"images 폴더에 파일이 없습니다 ({images_dir.name if images_dir else 'images'}/{ref})"
    path = images_dir / ref
    if path.stat().st_size > MAX_BYTES:
        return f"파일이 3MB를 넘습니다 ({path.stat().st_size / 2**20:.1f}MB)"
    size = jpeg_size(path.read_bytes()[: 256 * 1024])
    if size is None:
        return "JPEG 파일이 아닙니다"
    if size != SIZE:
        return f"이미지 크기가 {size[0]}×{size[1]}입니다 (1000×1000이어야 합니다)"
    return None
