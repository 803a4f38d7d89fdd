"""Synthetic people: Chinese names by surname frequency, mobile numbers, UUIDs and credit codes.

Every draw comes from the `random.Random` passed in, so a fixed seed gives the same people.
"""

import random
from bisect import bisect
from itertools import accumulate

from yiyang.demo import data


def weighted(spec: str) -> tuple[list[str], list[float]]:
    """Parse "陈110 林80" or "350203:6 350205:4" into (keys, cumulative weights)."""
    keys, weights = [], []
    for item in spec.split():
        if ":" in item:
            key, weight = item.split(":")
        else:
            cut = next(i for i, ch in enumerate(item) if ch.isdigit())
            key, weight = item[:cut], item[cut:]
        keys.append(key)
        weights.append(float(weight))
    return keys, list(accumulate(weights))


FUJIAN_SURNAMES = weighted(data.FUJIAN_SURNAMES)
NATIONAL_SURNAMES = weighted(data.NATIONAL_SURNAMES)


class People:
    """Draws names, phones and UUIDs from one generator (methods are hot: kept small)."""

    def __init__(self, rng: random.Random, *, clock_ms: int) -> None:
        self.rng = rng
        self.rnd = rng.random
        self.bits = rng.getrandbits
        self.clock_ms = clock_ms
        self.issued = 0

    def surname(self, local: bool) -> str:
        keys, cum = FUJIAN_SURNAMES if local else NATIONAL_SURNAMES
        return keys[bisect(cum, self.rnd() * cum[-1])]

    def given(self, female: bool) -> str:
        """A given name of the 1920–1965 generations: a frequent full name, or one or two characters."""
        rnd = self.rnd
        r = rnd()
        if r < 0.12:
            names = data.COMMON_FEMALE_GIVEN if female else data.COMMON_MALE_GIVEN
            return names[int(rnd() * len(names))]
        chars = data.FEMALE_CHARS if female else data.MALE_CHARS
        first = chars[int(rnd() * len(chars))]
        if r < 0.35:
            return first
        return first + chars[int(rnd() * len(chars))]

    def name(self, *, local: bool, female: bool) -> str:
        return self.surname(local) + self.given(female)

    def mobile(self) -> str:
        """1[3-9]x followed by eight digits: unique enough among a million people."""
        prefixes = data.PHONE_PREFIXES
        return f"{prefixes[int(self.rnd() * len(prefixes))]}{self.bits(27) % 100_000_000:08d}"

    def uuid(self) -> str:
        """A time-ordered UUID (RFC 9562 version 7) as 32 hex digits, the form the raw writers store.

        A 12-bit counter fills `rand_a` and the millisecond field moves on every 4,096 ids (the RFC's
        fixed-length counter method), followed by 62 random bits. Ids issued one after the other
        sort in that order, so each unique `public_id` index grows at its right edge instead of
        taking a random insert: at a million elders that is a quarter of the seed's time on
        PostgreSQL. The application itself issues version 4; both kinds are unique and unguessable.
        """
        n = self.issued
        self.issued = n + 1
        value = ((self.clock_ms + (n >> 12)) << 80) | ((0x7000 | (n & 0xFFF)) << 64) | (1 << 63) | self.bits(62)
        return f"{value:032x}"


_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def credit_code(rng: random.Random, prefix: str, area_code: str) -> str:
    """A synthetic unified social credit code (GB 32100-2015) with valid check characters.

    `prefix` is the registering authority and kind: "52" 民政-民办非企业单位, "12" 机构编制-事业单位.
    The organisation code inside (GB 11714) carries its own check digit.
    """
    body = "".join(rng.choice("0123456789") for _ in range(8))
    check = 11 - sum(int(ch) * w for ch, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    org_code = body + ("X" if check == 10 else "0" if check == 11 else str(check))
    first17 = f"{prefix}{area_code}{org_code}"
    total = sum(_CODE_CHARS.index(ch) * w for ch, w in zip(first17, _CODE_WEIGHTS, strict=True))
    return first17 + _CODE_CHARS[(31 - total % 31) % 31]
