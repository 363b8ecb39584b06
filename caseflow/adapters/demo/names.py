"""Realistic names for demo towns: staff, enterprises and projects.

Everything is drawn from a seeded ``random.Random`` so a demo is reproducible.
Names follow the news reports in ``shared/seeds``: Zhongshan's hardware, appliance,
lighting and furniture makers, Tongxiang's brickworks, textile and sweater workshops.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# (surname, pinyin): the commonest surnames in Guangdong and Zhejiang
SURNAMES = [
    ("陈", "chen"), ("李", "li"), ("黄", "huang"), ("梁", "liang"), ("林", "lin"),
    ("张", "zhang"), ("吴", "wu"), ("何", "he"), ("刘", "liu"), ("郑", "zheng"),
    ("杨", "yang"), ("冯", "feng"), ("周", "zhou"), ("谭", "tan"), ("罗", "luo"),
    ("麦", "mai"), ("邓", "deng"), ("卢", "lu"), ("苏", "su"), ("钟", "zhong"),
    ("姚", "yao"), ("沈", "shen"), ("徐", "xu"), ("朱", "zhu"), ("萧", "xiao"),
]
GIVEN = [
    ("伟", "wei"), ("强", "qiang"), ("志", "zhi"), ("明", "ming"), ("俊", "jun"),
    ("杰", "jie"), ("丽", "li"), ("敏", "min"), ("静", "jing"), ("婷", "ting"),
    ("建", "jian"), ("国", "guo"), ("文", "wen"), ("华", "hua"), ("海", "hai"),
    ("燕", "yan"), ("锦", "jin"), ("辉", "hui"), ("荣", "rong"), ("嘉", "jia"),
    ("家", "jia"), ("浩", "hao"), ("雪", "xue"), ("芳", "fang"), ("晓", "xiao"),
    ("永", "yong"), ("健", "jian"), ("锡", "xi"), ("雄", "xiong"), ("慧", "hui"),
]


def person(rng: random.Random, taken: set[str]) -> tuple[str, str]:
    """A (login, Chinese name) pair with a unique pinyin login such as ``chen.jianhua``."""
    while True:
        (sur, sur_py) = rng.choice(SURNAMES)
        parts = [rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2)))]
        name = sur + "".join(c for c, _ in parts)
        login = f"{sur_py}.{''.join(p for _, p in parts)}"
        for suffix in ("", "2", "3", "4", "5"):
            if login + suffix not in taken:
                taken.add(login + suffix)
                return login + suffix, name


# Zhongshan-style enterprise names: 中山市 + brand + trade + 有限公司
_BRAND_CHARS = "兴华盛隆宏达鑫源顺丰永利恒通金泰佳美富荣协成德信联创新科锦明辉粤昌"
_ZS_TRADES = [
    "五金制品", "电器", "灯饰", "家具", "塑料制品", "五金电器", "电子科技", "照明科技",
    "不锈钢制品", "印刷", "服装", "制衣", "包装材料", "机械设备", "模具", "红木家具",
    "燃气具", "卫浴洁具", "纸品", "织带",
]
_TX_TRADES = [
    "砖瓦", "毛衫", "纺织", "化纤", "皮草", "家纺", "针织", "木业", "塑编", "印染",
    "羊毛衫", "五金", "建材", "箱包",
]
_SUFFIX = ["有限公司", "有限公司", "有限公司", "实业有限公司", "制造有限公司"]


def enterprise(rng: random.Random, town: str, tongxiang: bool, taken: set[str]) -> str:
    prefix = "桐乡市" if tongxiang else "中山市"
    trades = _TX_TRADES if tongxiang else _ZS_TRADES
    for _ in range(50):
        brand = "".join(rng.sample(_BRAND_CHARS, 2))
        place = rng.choice(("", "", town.removesuffix("镇").removesuffix("街道")))
        name = f"{prefix}{place}{brand}{rng.choice(trades)}{rng.choice(_SUFFIX)}"
        if name not in taken:
            taken.add(name)
            return name
    name = f"{prefix}{brand}{rng.choice(trades)}{len(taken)}号厂"
    taken.add(name)
    return name


@dataclass(frozen=True)
class ProjectSeed:
    code: str
    name: str
    town: str
    area_mu: float
    target_mu: float
    mode: str


@dataclass(frozen=True)
class TownSeed:
    key: str
    town: str               # shown in reports
    workflow: str           # gongai or tuisan
    region: str             # six-digit division code for credit codes
    projects: list[ProjectSeed]
    cases: int              # enterprises across all projects
    staff: dict[str, tuple[int, int, int]]   # team -> (leads, members, supervisors)


TEAMS = [
    ("office", "指挥部办公室"),
    ("negotiation", "谈判专班"),
    ("relocation", "腾挪安置专班"),
    ("demolition", "拆除整备专班"),
    ("investment", "招商建设专班"),
]

# "one office, four task forces" with 52 staff (神湾: 抽调52名镇村骨干)
SHENWAN_STAFF = {
    "office": (1, 7, 4), "negotiation": (1, 11, 0), "relocation": (1, 8, 0),
    "demolition": (1, 9, 0), "investment": (1, 8, 0),
}

_SW_AREAS = [412.35, 356.80, 298.46, 276.12, 245.90, 228.64, 196.37, 172.58, 143.25, 120.43]
# Shenwan's 11 projects total 2540.66 mu
_SW_AREAS.append(round(2540.66 - sum(_SW_AREAS), 2))
_SW_NAMES = [
    ("神湾镇定溪村工业区改造项目", "工改工"), ("神湾镇外沙村低效工业园改造项目", "村企合作"),
    ("神湾镇宥南村工业园升级项目", "工改工"), ("神湾镇海港村临港工业区改造项目", "工改M0"),
    ("神湾镇竹排村工业区整备项目", "政府挂账收储+村集体自改"),
    ("神湾镇神湾村旧厂房改造项目", "镇企合作"), ("神湾镇南部产业园二期项目", "工改工"),
    ("神湾镇丫髻山片区工改项目", "工改综合"), ("神湾镇沿江工业带改造项目", "村企合作"),
    ("神湾镇精细化工区腾退项目", "工改工"), ("神湾镇菠萝产业园配套改造项目", "工改M0"),
]


def _scaled_targets(areas: list[float], total_target: float) -> list[float]:
    whole = sum(areas)
    targets = [round(a * total_target / whole, 2) for a in areas]
    targets[-1] = round(total_target - sum(targets[:-1]), 2)  # sums exactly to the task
    return targets


def shenwan() -> TownSeed:
    targets = _scaled_targets(_SW_AREAS, 800.0)  # 807.82 mu was 100.98% of the task
    projects = [
        ProjectSeed(f"SW{i + 1:02d}", name, "神湾镇", area, target, mode)
        for i, ((name, mode), area, target) in enumerate(
            zip(_SW_NAMES, _SW_AREAS, targets, strict=True))
    ]
    return TownSeed("shenwan", "神湾镇", "gongai", "442000", projects, 160, SHENWAN_STAFF)


_XL_PLACES = ["绩东二社区", "东升社区", "同乐社区", "太平村", "九洲基社区", "北区社区", "联丰社区",
              "永宁社区", "埒西一社区", "竹源社区", "宝丰社区", "西区社区", "沙口社区", "裕民社区",
              "坦背社区", "高沙社区", "东区社区", "螺沙社区", "新市社区", "胜隆社区"]


def xiaolan(rng: random.Random | None = None) -> TownSeed:
    rng = rng or random.Random(7)
    projects = []
    for i, place in enumerate(_XL_PLACES):
        area = round(rng.uniform(60, 420), 2)
        projects.append(ProjectSeed(
            f"XL{i + 1:02d}", f"小榄镇{place}低效工业园改造项目", "小榄镇", area,
            round(area * 0.35, 2), rng.choice(["工改工", "工改M0", "村企合作", "镇企合作"])))
    staff = {"office": (1, 12, 6), "negotiation": (2, 20, 0), "relocation": (2, 14, 0),
             "demolition": (2, 16, 0), "investment": (2, 14, 0)}
    return TownSeed("xiaolan", "小榄镇", "gongai", "442000", projects, 330, staff)


_TX_PROJECTS = [
    ("石门镇崇安砖瓦厂片区退散进集", "石门镇", 45.0), ("洲泉镇化纤小作坊集中整治", "洲泉镇", 186.4),
    ("梧桐街道低散乱企业腾退", "梧桐街道", 238.7), ("濮院镇毛衫小作坊退散进集", "濮院镇", 312.5),
    ("崇福镇皮草加工点整治腾退", "崇福镇", 164.2), ("屠甸镇低效用地复垦", "屠甸镇", 97.8),
    ("高桥街道小微企业园入园", "高桥街道", 121.3), ("乌镇镇低散乱整治提升", "乌镇镇", 88.6),
]


def tongxiang() -> TownSeed:
    projects = [ProjectSeed(f"TX{i + 1:02d}", name, town, area, round(area * 0.6, 2), "退散进集")
                for i, (name, town, area) in enumerate(_TX_PROJECTS)]
    staff = {"office": (1, 9, 4), "negotiation": (1, 10, 0), "relocation": (1, 8, 0),
             "demolition": (1, 10, 0), "investment": (1, 5, 0)}
    return TownSeed("tongxiang", "桐乡市", "tuisan", "330483", projects, 200, staff)


TOWNS = {"shenwan": shenwan, "xiaolan": xiaolan, "tongxiang": tongxiang}
