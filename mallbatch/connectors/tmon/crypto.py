"""Personal data of 티몬 orders and claims: AES-128-ECB, PKCS7 padding, base64 (reference §2.1 [C]: UKP
``decrypt_tmon``, SKSTOA ``PATMON_AES_SECRET_KEY``), decrypted with the partner key through ``cryptography``.

A value that does not decrypt is never passed on: :class:`Undecryptable` stops the read (see mapping), so no
ciphertext and no half-decrypted text reaches the store, a workbook or a log.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from mallbatch.errors import ConfigError, MalformedResponse

BLOCK_BITS = 128


class Undecryptable(MalformedResponse):
    """A personal-data field of the mall's answer that the partner key does not open."""


def cipher_key(key: str, label: str) -> bytes:
    """The 16-byte AES-128 key as configured (second-hand: UKP uses the key text's bytes as they are)."""
    raw = key.encode("utf-8")
    if len(raw) != 16:
        raise ConfigError(f"{label}: aes_key(티몬 개인정보 암호화 키)는 16바이트(영문·숫자 16자)여야 합니다 (현재 {len(raw)}바이트). "
                          "티몬 파트너센터에서 받은 키를 그대로 넣으세요")
    return raw


def decrypt(value: str, key: bytes) -> str:
    """The plain text of one encrypted field; ValueError when it is not base64, not whole blocks, badly padded or
    not UTF-8 (the key is wrong, or the value was never encrypted)."""
    try:
        data = base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise ValueError("not base64") from exc
    if not data or len(data) % 16:
        raise ValueError("not whole AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.ECB()).decryptor()  # noqa: S305 - the mall's scheme, not our choice
    padded = decryptor.update(data) + decryptor.finalize()
    unpadder = padding.PKCS7(BLOCK_BITS).unpadder()
    plain = unpadder.update(padded) + unpadder.finalize()  # ValueError on bad padding
    return plain.decode("utf-8")  # UnicodeDecodeError is a ValueError
