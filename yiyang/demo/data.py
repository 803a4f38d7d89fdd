"""Static facts and word lists for the synthetic demo district (湖里区（演示）).

The shape follows Huli District, Xiamen, as its 2025 reply letter describes it: 102,000 elderly
residents, 59,000 of them with local household registration, 9 elderly-care institutions, 11 street
care centres, 59 community stations (one per community) and 7 "一老一小" complexes. Every name,
number and address produced from these lists is invented.
"""

from datetime import date


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


DISTRICT_CODE = "350206"
DISTRICT_NAME = "湖里区（演示）"
CITY_PREFIX = "厦门市湖里区"

# The reply letter's figures; smaller or larger seeds scale the registered share and residents.
FULL_ELDERS = 102_000
FULL_REGISTERED = 59_000
# Ages are counted on this day, so the same seed gives the same birth dates (and IDs) on any day.
REFERENCE_DATE = date(2025, 12, 31)

DEMO_PASSWORD = "yiyang-demo-2025"  # noqa: S105 - a published demo password, by design

# (name, code suffix, centre latitude, centre longitude, communities as "名称:pinyin")
STREETS: list[tuple[str, str, float, float, tuple[str, ...]]] = [
    (
        "湖里街道",
        "001",
        24.5120,
        118.0930,
        _words(
            "海天:haitian 湖滨:hubin 东渡:dongdu 兴华:xinghua 和通:hetong 康乐:kangle 港湾:gangwan 渡头:dutou 华美:huamei "
            "枋钟:fangzhong 海光:haiguang 新港:xingang 象屿:xiangyu"
        ),
    ),
    (
        "殿前街道",
        "002",
        24.5300,
        118.1060,
        _words(
            "殿前:dianqian 高殿:gaodian 安兴:anxing 寨上:zhaishang 马垅:malong 兴隆:xinglong 神山:shenshan 钟宅:zhongzhai "
            "后坑:houkeng 嘉园:jiayuan 寿福:shoufu 明珠:mingzhu"
        ),
    ),
    (
        "禾山街道",
        "003",
        24.5030,
        118.1550,
        _words(
            "禾山:heshan 后浦:houpu 坂美:banmei 高林:gaolin 五缘:wuyuan 枋湖:fanghu 吕厝:lvcuo 双涵:shuanghan 虹桥:hongqiao "
            "祥店:xiangdian 岭下:lingxia 泗水:sishui 林后:linhou"
        ),
    ),
    (
        "江头街道",
        "004",
        24.4930,
        118.1280,
        _words(
            "江头:jiangtou 南山:nanshan 蔡塘:caitang 金尚:jinshang 东浦:dongpu 吕岭:lvling 湖边:hubian 江村:jiangcun "
            "县后:xianhou 园山:yuanshan 乌石浦:wushipu"
        ),
    ),
    (
        "金山街道",
        "005",
        24.5110,
        118.1720,
        _words(
            "金山:jinshan 金湖:jinhu 金林:jinlin 金泰:jintai 金安:jinan 金鼎:jinding 松柏:songbai 仙岳:xianyue 万寿:wanshou "
            "金桥:jinqiao"
        ),
    ),
]

ROADS = _words(
    "华光路 海天路 湖里大道 兴湖路 东渡路 长乐路 殿前路 高殿路 安岭路 钟宅路 枋钟路 禾山路 县后路 江头北路 吕岭路 蔡塘路 金山路 金湖路 金尚路 仙岳路 枋湖路 五缘湾道 泗水道 "
    "云顶北路 园山南路 嘉禾路 湖里东路 兴隆路 宜宾路 乌石浦路"
)
# Institutions: (name, pinyin, street index, beds, ownership, integrated care 医养结合)
INSTITUTIONS: list[tuple[str, str, int, int, str, bool]] = [
    ("康颐护养院", "kangyi", 0, 400, "public_private", True),
    ("福寿园养护中心", "fushou", 2, 320, "private", True),
    ("湖里区社会福利中心", "fuli", 1, 260, "public", True),
    ("松柏颐养院", "songbai", 4, 200, "private", False),
    ("金湖长者之家", "jinhu", 4, 150, "private", True),
    ("海光养老院", "haiguang", 0, 120, "public_private", False),
    ("禾山敬老院", "heshan", 2, 100, "public", False),
    ("江头安康养老院", "ankang", 3, 80, "private", False),
    ("殿前夕阳红养老院", "xiyanghong", 1, 60, "private", False),
]
# Occupancy of the institutions at full district scale (the letter's 102,000 elders).
OCCUPANCY_RANGE = (0.60, 0.75)
# Street care centres per street (11 in all) and which of them keep a few beds.
CARE_CENTRES_PER_STREET = (3, 2, 2, 2, 2)
CARE_CENTRE_BEDS = {0: 20, 2: 12, 5: 16, 9: 10}  # index in creation order -> beds
COMPLEX_COUNT = 7
COMPLEX_BEDS = {0: 12, 3: 8}
HOSPITALS = [("湖里区演示第一医院", "3A"), ("湖里区中医院", "2A"), ("湖里区殿前医院", "2B")]
CLINICS = ["康泰诊所", "仁心中医诊所", "金山社区卫生站", "禾山社区卫生站"]

# Fujian surnames by frequency (per mille, rounded); used for locally registered elders.
FUJIAN_SURNAMES = (
    "陈110 林80 黄60 张40 李40 王35 吴30 郑25 刘23 蔡22 杨22 许20 洪16 苏15 叶15 庄13 曾13 谢12 周11 "
    "柯10 郭10 卢9 朱9 邱8 江8 徐8 何7 游6 方6 詹5 傅5 萧5 杜4 魏4 钟4 胡4 姚4 施4 余4 罗4 赖4 "
    "高4 孙3 连3 纪3 潘3 欧阳1 卓3 戴3 严2 沈2 温2 邓2 邹2 颜2 董2 石2 宋2 薛2"
)
# National surnames by frequency (per mille); used for elders registered elsewhere in China.
NATIONAL_SURNAMES = (
    "王71 李70 张67 刘54 陈46 杨31 黄25 赵23 吴20 周19 徐16 孙15 马14 朱13 胡13 郭12 何12 林11 罗11 "
    "高11 郑9 梁9 谢8 宋8 唐8 许7 韩7 冯7 邓7 曹7 彭6 曾6 肖6 田6 董5 袁5 潘5 于5 蒋5 蔡5 余5 杜5 "
    "叶4 程4 苏4 魏4 吕4 丁4 任4 沈4 姚3 卢3 姜3 崔3 钟3 谭3 陆3 汪3 范3 金3 石3 廖3 贾3 夏3 韦3 "
    "付3 方3 白2 邹2 孟2 熊2 秦2 邱2 江2 尹2 薛2 闫2 段2 雷2 侯2 龙2 史2 陶2 黎2 贺2 顾2 毛2 郝2 "
    "龚2 邵2 万2 钱2 严2 武1 戴1 莫1 孔1 向1 汤1 司马1"
)
# Given-name characters common for people born 1920-1965.
MALE_CHARS = (
    "国建明德华文志福荣海金水成忠伟民平清辉春生林山树永兴强庆宝泉发祥顺军良才根贵财耀东光振胜长义仁"
    "保家新和炳坤源锦火土木启添天达进寿昌茂益"
)
FEMALE_CHARS = "秀英兰珍玉凤桂芳梅华琴霞美丽淑云莲月娥素珠花香菊萍红春燕娟惠琼翠雪金银碧丹秋冬宝彩瑞治爱"
# Given names so frequent in that generation that they deserve their own share.
COMMON_MALE_GIVEN = _words("建国 建华 国华 国强 志明 文华 德明 金水 火旺 福全 永福 清泉")
COMMON_FEMALE_GIVEN = _words("秀英 桂英 秀兰 玉兰 桂兰 淑珍 秀珍 玉珍 凤英 玉英 美玉 秀琴 阿花 月娥")
# Address codes (GB/T 2260) for IDs of elders without local household registration, with weights.
RESIDENT_ID_AREAS = (
    "350203:6 350205:4 350211:5 350212:5 350213:4 350102:3 350104:2 350302:5 350322:4 350502:4 "
    "350521:5 350582:6 350583:5 350602:4 350681:4 350802:4 350821:2 350403:2 350702:2 350902:2 "
    "360102:3 360302:2 362201:2 360781:2 430102:2 430602:1 420102:2 421002:1 510104:2 511302:1 "
    "500101:2 340102:2 341202:1 410102:2 411302:1 440103:1 445102:1 330102:1 330302:1 520102:1 "
    "450102:1 370102:1 130102:1 230102:1"
)

AGE_WEIGHTS = ((60, 29.0), (65, 27.0), (70, 19.0), (75, 12.0), (80, 7.5), (85, 4.0), (90, 1.2), (95, 0.27), (100, 0.03))
RESIDENT_AGE_WEIGHTS = ((65, 5.0), (70, 10.0), (75, 20.0), (80, 28.0), (85, 24.0), (90, 10.0), (95, 2.6), (100, 0.4))
OLDEST_AGE = 105

PHONE_PREFIXES = _words(
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 176 177 178 180 181 "
    "182 183 185 186 187 188 189 198 199"
)
CONTACT_RELATIONS_FOR_MALE_SURNAME = ("儿子", "儿子", "女儿", "儿媳", "孙子")
CONTACT_RELATIONS_OTHER = ("女儿", "女婿", "外甥", "侄子", "邻居", "朋友")
MEMBER_RELATIONS = ("儿子", "女儿", "儿媳", "女婿", "孙子", "孙女", "外孙女")
NOTES = (
    "行动不便，使用轮椅",
    "听力较差，来电请大声",
    "患高血压，需按时服药",
    "患糖尿病，需定期复查",
    "需定期上门探访",
    "子女在外地工作",
)
HELPER_CASELOAD = 30  # living-alone elders per helper (助老员)
