"""Plausible Chinese personal names, deterministic for a given ``random.Random``.

Surname weights follow the rough order of frequency in Guangdong (陈, 李, 黄, 张, 梁 … with 司徒 and 欧阳
from 江门's 五邑 counties); given names are one or two characters from gendered and neutral lists.
"""

import random
from itertools import accumulate

SURNAME_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("陈", 8.5),
    ("李", 6.2),
    ("黄", 6.0),
    ("张", 4.2),
    ("梁", 3.6),
    ("林", 3.5),
    ("刘", 3.2),
    ("吴", 2.5),
    ("罗", 2.3),
    ("杨", 2.1),
    ("周", 1.8),
    ("郑", 1.8),
    ("何", 1.8),
    ("王", 1.8),
    ("谢", 1.6),
    ("冯", 1.4),
    ("叶", 1.4),
    ("朱", 1.3),
    ("曾", 1.3),
    ("邓", 1.3),
    ("许", 1.2),
    ("蔡", 1.2),
    ("苏", 1.1),
    ("钟", 1.1),
    ("卢", 1.0),
    ("潘", 1.0),
    ("彭", 0.9),
    ("赖", 0.9),
    ("余", 0.9),
    ("郭", 0.9),
    ("徐", 0.8),
    ("谭", 0.8),
    ("邱", 0.7),
    ("莫", 0.7),
    ("关", 0.6),
    ("温", 0.6),
    ("方", 0.6),
    ("胡", 0.6),
    ("陆", 0.5),
    ("吕", 0.5),
    ("甘", 0.4),
    ("孙", 0.4),
    ("马", 0.4),
    ("袁", 0.4),
    ("麦", 0.4),
    ("冼", 0.3),
    ("严", 0.3),
    ("庞", 0.3),
    ("姚", 0.3),
    ("丘", 0.2),
    ("欧阳", 0.2),
    ("司徒", 0.15),
    ("区", 0.1),
    ("植", 0.05),
)

MALE_CHARS = "伟强军建国明华志文杰斌涛辉勇俊峰健波浩宇翔鹏锋振海荣彬晖亮锦权炳坚耀雄德良超新"
FEMALE_CHARS = "丽芳燕敏静婷红霞玲娟艳萍慧琳洁雪颖倩欣怡莉梅秀雅凤珊薇瑜翠碧丹"
NEUTRAL_CHARS = "家子思晓嘉永少启冠宏展志卓俊昊泽晨瑞佳若紫文诗汝育铭"

_SURNAMES = [s for s, _ in SURNAME_WEIGHTS]
_CUM_WEIGHTS = list(accumulate(w for _, w in SURNAME_WEIGHTS))


def surname(rng: random.Random) -> str:
    return rng.choices(_SURNAMES, cum_weights=_CUM_WEIGHTS)[0]


def given_name(rng: random.Random) -> str:
    pool = MALE_CHARS if rng.random() < 0.55 else FEMALE_CHARS
    if rng.random() < 0.25:
        return rng.choice(pool)
    first = rng.choice(pool + NEUTRAL_CHARS)
    second = rng.choice(pool)
    if second == first:
        second = rng.choice(pool)
    return first + second


def person_name(rng: random.Random) -> str:
    return surname(rng) + given_name(rng)
