"""GB/T 9704-2012 page geometry, in millimetres from the paper's top-left corner (points where named *_PT)."""

PAGE_W, PAGE_H = 210.0, 297.0  # A4
BODY_W, BODY_H = 156.0, 225.0  # 版心
TOP, LEFT = 37.0, 28.0  # 天头, 订口
RIGHT = LEFT + BODY_W
BOTTOM = TOP + BODY_H
LINES, CHARS = 22, 28  # per full page / full line of 3号 body text

PT = 25.4 / 72.0  # mm per point
SIZE_1 = 42.0  # 初号 (发文机关标志)
SIZE_2 = 22.0  # 2号 (标题)
SIZE_3 = 16.0  # 3号 (正文)
SIZE_4 = 14.0  # 4号 (版记, 页码)
SIZE_TABLE = 12.0  # 小四 (表格)

CELL = BODY_W / CHARS  # character pitch of body text: 28 per line exactly
PITCH = BODY_H / LINES  # line pitch: 22 per page exactly
CELL_4 = SIZE_4 * PT  # one 4号 character (版记 and page-number indents)

MARK_OFFSET = 35.0  # 发文机关标志 top below the 版心 top
ORDER_MARK_OFFSET = 20.0  # 命令格式
LETTER_MARK_TOP = 30.0  # 信函格式: from the paper top
LETTER_RULE_LENGTH = 170.0
LETTER_BOTTOM_RULE = 20.0  # from the paper bottom
NUMBER_RULE_GAP = 4.0  # red rule below the 发文字号
PAGE_NUMBER_DROP = 7.0  # 一字线 below the 版心 bottom

RULE_RED = 0.5  # thickness of the red rule under the 发文字号
IMPRINT_THICK = 0.35
IMPRINT_THIN = 0.25
SEAL_RAISE = 2.0  # the seal's centre sits this far above the 署名's middle, so 署名 and date lie low in it

RED = (1.0, 0.0, 0.0)
BLACK = (0.0, 0.0, 0.0)


def slot_top(index: int) -> float:
    """Top of body line ``index`` (0-based) on a full page."""
    return TOP + index * PITCH
