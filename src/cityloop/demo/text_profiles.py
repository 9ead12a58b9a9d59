"""What citizens of the demo city call about, how often, in which season, and in their words.

Each profile is one level-3 category of the official taxonomy. Monthly factors give the
seasons (heating in winter, floods, noise and mosquitoes in summer); weekday factors the week.
Templates use slots filled by texts.compose_appeal: {address} {road} {community} {landmark}
{days} {time} {late_hour} {early_hour} {floor} {amount} {temp}.

Over 400 lines on purpose: it is data (one profile per category), not logic.
"""

from __future__ import annotations

from dataclasses import dataclass

FLAT = (1.0,) * 12
WORKWEEK = (1.1, 1.05, 1.0, 1.0, 1.0, 0.8, 0.75)
WEEKEND_HIGH = (0.9, 0.9, 0.9, 0.95, 1.1, 1.25, 1.25)
WINTER = (3.0, 2.4, 1.6, 0.5, 0.05, 0.02, 0.02, 0.02, 0.05, 0.4, 3.5, 3.8)
SUMMER = (0.5, 0.5, 0.7, 0.9, 1.2, 1.6, 1.9, 1.8, 1.2, 0.8, 0.6, 0.5)
RAINY = (0.2, 0.2, 0.3, 0.5, 0.8, 1.6, 3.2, 2.8, 1.0, 0.4, 0.2, 0.2)
PAYDAY = (1.8, 2.4, 0.9, 0.8, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, 1.1, 1.8)
SCHOOL = (0.8, 0.7, 1.4, 1.0, 1.0, 1.2, 1.3, 1.5, 2.2, 1.0, 0.8, 0.8)


@dataclass(frozen=True)
class Profile:
    path: tuple[str, str, str]
    weight: float
    monthly_factor: tuple[float, ...]
    weekday_factor: tuple[float, ...]
    emergency_share: float
    complex_share: float
    titles: tuple[str, ...]
    contents: tuple[str, ...]
    emergency_contents: tuple[str, ...] = ()
    replies_done: tuple[str, ...] = ()
    replies_open: tuple[str, ...] = ()


def _p(
    path: str,
    weight: float,
    months: tuple[float, ...],
    week: tuple[float, ...],
    emergency: float,
    complex_: float,
    titles: list[str],
    contents: list[str],
    urgent: list[str] | None = None,
    done: list[str] | None = None,
    open_: list[str] | None = None,
) -> Profile:
    first, second, third = path.split("/")
    return Profile(
        (first, second, third),
        weight,
        months,
        week,
        emergency,
        complex_,
        tuple(titles),
        tuple(contents),
        tuple(urgent or ()),
        tuple(done or ()),
        tuple(open_ or ()),
    )


CITY = "城乡建设/城市建设和市政管理"

PROFILES: tuple[Profile, ...] = (
    _p(
        f"{CITY}/冬季采暖",
        10,
        WINTER,
        WORKWEEK,
        0.06,
        0.05,
        ["暖气不热", "家里暖气温度太低", "供暖不达标", "暖气片一直是凉的"],
        [
            "我家住在{address}，从{days}天前开始暖气一直不热，室温只有{temp}度，家里有老人孩子，"
            "请尽快派人来看看。",
            "{community}这几天暖气温度很低，我们楼好几户都反映了，给热力公司打电话一直没人处理。",
            "{address}{floor}层，暖气片上热下凉，放过水也不行，交了供暖费却享受不到供暖。",
            "已经是供暖季了，{address}的暖气还是时有时无，晚上冻得睡不着，希望尽快解决。",
        ],
        [
            "家里独居老人，{address}暖气突然全停了，室温只有{temp}度，老人有心脏病，请马上处理！",
            "{address}暖气管道爆裂，热水流了一地，还在往楼下渗，请紧急派人关阀维修！",
        ],
    ),
    _p(
        f"{CITY}/自来水供应",
        6,
        SUMMER,
        WORKWEEK,
        0.12,
        0.04,
        ["家里停水", "水压太低", "自来水发黄", "小区频繁停水"],
        [
            "{address}从{time}开始停水，事先没有任何通知，做饭洗漱都成问题，什么时候能恢复？",
            "{community}最近水压特别低，{floor}层以上基本接不上水，已经持续{days}天了。",
            "{address}的自来水打开是黄色的，有铁锈味，不敢喝，请有关部门检测处理。",
            "这个月{community}已经停了{days}次水，每次都不提前通知，严重影响生活。",
        ],
        [
            "{road}路面水管爆裂，水涌到马路上，已经淹到{landmark}门口了，请马上派人抢修！",
            "{address}楼下水管爆了，地下室全淹了，电闸就在旁边，非常危险！",
        ],
    ),
    _p(
        f"{CITY}/电力供应",
        5,
        SUMMER,
        WORKWEEK,
        0.10,
        0.04,
        ["小区停电", "频繁跳闸停电", "电压不稳"],
        [
            "{address}从{time}开始停电，冰箱里的东西都快坏了，请问什么时候来电？",
            "{community}这一周停了{days}次电，电压也不稳，家里电器都烧坏了一个。",
            "{address}楼道电表箱经常跳闸，物业说是供电公司的事，请供电公司来检查。",
        ],
        [
            "{road}{landmark}旁边的电线杆倒了，电线掉在人行道上还冒火花，太危险了！",
            "{address}配电箱冒烟有焦糊味，请立即派人处理，怕引起火灾！",
        ],
    ),
    _p(
        f"{CITY}/燃气供应",
        3,
        WINTER,
        WORKWEEK,
        0.35,
        0.03,
        ["燃气停气", "燃气费用问题", "燃气表故障"],
        [
            "{address}燃气表显示有余额但打不着火，已经{days}天了，没法做饭。",
            "{community}燃气改造后一直没有恢复供气，问了几次都说等通知。",
            "{address}燃气表走字特别快，这个月燃气费比平时多了{amount}元，怀疑表有问题。",
        ],
        [
            "{address}楼道里燃气味很浓，好几家都闻到了，不知道是哪里漏气，请马上来人！",
            "{address}{floor}层邻居家一直有燃气味，敲门没人应，担心出事，请紧急处理！",
            "{road}施工挖断了燃气管道，现场有很大的燃气味，请立即派人抢修封锁！",
        ],
    ),
    _p(
        f"{CITY}/环境卫生",
        8,
        SUMMER,
        WORKWEEK,
        0.0,
        0.03,
        ["垃圾无人清运", "小区垃圾堆积", "道路脏乱", "垃圾桶满溢"],
        [
            "{address}附近的垃圾已经{days}天没人清运了，天热臭味很大，还招了很多苍蝇。",
            "{road}{landmark}旁边的垃圾桶天天满溢，垃圾散落一地，希望增加清运次数。",
            "{community}有人在绿地里乱倒建筑垃圾，堆了很高，请有关部门清理并处罚。",
            "{road}路面上油污和垃圾很多，环卫工人很少来打扫，影响市容。",
        ],
    ),
    _p(
        f"{CITY}/城管执法",
        7,
        SUMMER,
        WEEKEND_HIGH,
        0.0,
        0.05,
        ["占道经营", "违章建筑", "店铺外摆", "私搭乱建"],
        [
            "{road}{landmark}门口每天晚上都有流动摊贩占道经营，油烟很大，行人只能走机动车道。",
            "{address}楼顶有人私搭乱建，盖了一个彩钢房，存在安全隐患，请城管执法。",
            "{road}沿街饭店把桌椅摆到人行道上，晚上喝酒喧哗到凌晨{late_hour}。",
            "{community}一楼住户私自开门破墙搞经营，请依法查处。",
        ],
    ),
    _p(
        f"{CITY}/城市公共设施",
        7,
        FLAT,
        WORKWEEK,
        0.04,
        0.04,
        ["路灯不亮", "井盖缺失", "人行道破损", "公共座椅损坏"],
        [
            "{road}靠近{landmark}的一排路灯已经坏了{days}天，晚上漆黑一片，老人孩子出行很不安全。",
            "{road}人行道的地砖坏了很多，坑坑洼洼，下雨全是积水，请尽快修补。",
            "{address}门口的公交站牌被撞歪了一直没人修。",
            "{community}健身器材坏了好几件，孩子玩的时候很危险，请维修或拆除。",
        ],
        ["{road}{landmark}门口的井盖丢了，晚上看不见，已经有人掉下去了，请马上处理！"],
    ),
    _p(
        f"{CITY}/小区管理",
        6,
        FLAT,
        WEEKEND_HIGH,
        0.0,
        0.06,
        ["小区停车乱", "小区电梯故障", "楼道堆物"],
        [
            "{community}小区里乱停车现象严重，消防通道都被堵死了，物业不管。",
            "{address}的电梯这个月坏了{days}次，{floor}层的老人上下楼非常困难。",
            "{address}楼道里堆满了杂物和电动车，还有人在楼道里充电，存在火灾隐患。",
        ],
        ["{address}电梯突然停在两层中间，里面困了人，物业电话打不通，请紧急救援！"],
    ),
    _p(
        f"{CITY}/园林绿化",
        3,
        SUMMER,
        WORKWEEK,
        0.02,
        0.03,
        ["树木遮挡采光", "枯树有安全隐患", "绿地被毁"],
        [
            "{address}楼前的大树长得太高，把{floor}层以下的窗户全挡住了，常年见不到阳光。",
            "{road}边上有棵枯树，树干已经裂开，刮风时很危险，请园林部门修剪或移除。",
            "{community}的绿地被人种了菜，还用围栏圈起来，请恢复公共绿地。",
        ],
        ["{road}{landmark}旁大树被风刮倒，压在了停着的车上，还挡住了道路，请紧急处理！"],
    ),
    _p(
        f"{CITY}/基础设施",
        4,
        RAINY,
        WORKWEEK,
        0.08,
        0.10,
        ["道路积水", "雨水井堵塞", "下水道返水"],
        [
            "每次下雨{road}{landmark}附近就积水，水深没过脚踝，行人没法通过，请疏通排水。",
            "{address}楼下下水道经常返水，污水流到路面上，臭气熏天。",
            "{community}雨水井被落叶和垃圾堵住了，一下雨就成河。",
        ],
        ["暴雨中{road}下穿桥积水很深，已经有车被淹熄火了，请马上封路排水！"],
    ),
    _p(
        "城乡建设/住房保障与房地产/物业服务",
        8,
        FLAT,
        WEEKEND_HIGH,
        0.0,
        0.08,
        ["物业不作为", "物业费纠纷", "物业乱收费"],
        [
            "{community}物业公司收了物业费却不作为，楼道没人打扫，门禁坏了{days}天没人修。",
            "{address}物业要求我们补交{amount}元的费用，没有任何依据，不交就不给办门禁卡。",
            "{community}物业合同到期了，业主想换物业，街道和居委会一直不给答复。",
        ],
    ),
    _p(
        "城乡建设/住房保障与房地产/房屋租赁",
        2,
        FLAT,
        WEEKEND_HIGH,
        0.0,
        0.08,
        ["中介不退押金", "群租房问题"],
        [
            "我在{address}租房，合同到期退租后中介扣着{amount}元押金不退，打电话也不接。",
            "{address}一套房子隔成了十几间群租，人员复杂，卫生和安全都有隐患。",
        ],
    ),
    _p(
        "城乡建设/住房保障与房地产/修缮装修",
        3,
        SUMMER,
        WEEKEND_HIGH,
        0.0,
        0.05,
        ["楼上漏水", "装修扰民", "房屋墙体开裂"],
        [
            "{address}楼上住户家漏水，我家天花板都泡坏了，找楼上不理，物业也不管。",
            "{address}楼上装修每天早上{early_hour}就开始砸墙，周末也不休息，请管一管。",
            "{address}外墙出现很多裂缝，担心有安全问题，请房管部门鉴定。",
        ],
    ),
    _p(
        "环境保护/环境污染/噪音污染",
        8,
        SUMMER,
        WEEKEND_HIGH,
        0.0,
        0.03,
        ["夜间施工噪音", "广场舞噪音", "商铺音响扰民", "空调外机噪音"],
        [
            "{road}的工地每天晚上施工到凌晨{late_hour}，噪音非常大，附近居民根本无法休息。",
            "{community}广场舞音响开得特别大，从晚上七点跳到十点，家里孩子没法写作业。",
            "{road}{landmark}旁边的商铺用大音响做促销，从早到晚循环播放，请管理。",
            "{address}对面饭店的空调外机和排风扇昼夜轰鸣，已经持续{days}天。",
        ],
    ),
    _p(
        "环境保护/环境污染/大气污染",
        4,
        WINTER,
        WORKWEEK,
        0.02,
        0.06,
        ["餐馆油烟扰民", "露天焚烧", "工地扬尘"],
        [
            "{address}楼下饭馆的油烟直排，我家窗户都不敢开，油烟味熏得头疼。",
            "{road}附近有人露天焚烧垃圾和树叶，烟很大，整个{community}都是烟味。",
            "{road}的工地没有任何防尘措施，渣土车进出尘土飞扬。",
        ],
    ),
    _p(
        "环境保护/环境污染/水污染",
        1.5,
        SUMMER,
        WORKWEEK,
        0.02,
        0.10,
        ["河道污染", "污水直排"],
        [
            "{road}边的河道有污水直排口，河水发黑发臭，死鱼漂在水面上。",
            "{community}附近的小作坊把污水直接排进雨水井，味道刺鼻。",
        ],
    ),
    _p(
        "交通运输/出租车管理/网约车问题",
        1.5,
        FLAT,
        WEEKEND_HIGH,
        0.0,
        0.02,
        ["网约车绕路", "出租车拒载"],
        [
            "我{days}天前在{landmark}打车，司机故意绕路多收了{amount}元，投诉平台一直不处理。",
            "在{road}{landmark}门口打车，出租车司机嫌路近拒载，态度恶劣。",
        ],
    ),
    _p(
        "交通运输/客货运输/旅客运输",
        2,
        FLAT,
        WORKWEEK,
        0.0,
        0.05,
        ["公交线路调整", "公交车间隔太长"],
        [
            "{community}附近的公交线路调整后，我们上班要多走二十分钟，希望恢复原站点。",
            "{road}的公交车间隔太长，早高峰等了四十分钟都上不去车。",
        ],
    ),
    _p(
        "政法/交通管理/交通安全管理",
        5,
        FLAT,
        WORKWEEK,
        0.02,
        0.03,
        ["违章停车", "红绿灯故障", "路口拥堵"],
        [
            "{road}{landmark}门口每天都有车辆违停，把非机动车道全占了，希望加强执法。",
            "{road}和{community}交叉口的红绿灯坏了{days}天，路口很乱，很容易出事故。",
            "{road}早晚高峰堵得厉害，希望交管部门优化信号灯配时。",
        ],
        ["{road}路口红绿灯全灭，车辆抢行，刚刚已经发生了剐蹭，请马上派交警疏导！"],
    ),
    _p(
        "政法/社会治安/治安案件",
        2,
        SUMMER,
        WEEKEND_HIGH,
        0.05,
        0.05,
        ["小区盗窃", "可疑人员", "聚众赌博"],
        [
            "{community}最近接连发生电动车被盗，希望加强巡逻，完善监控。",
            "{address}楼下经常有人聚众赌博，半夜吵闹，请派出所管一管。",
        ],
    ),
    _p(
        "劳动和社会保障/工资福利/工资发放",
        5,
        PAYDAY,
        WORKWEEK,
        0.0,
        0.12,
        ["拖欠工资", "农民工欠薪", "公司不发工资"],
        [
            "我在{road}的一家公司工作，公司已经拖欠我们{days}个月工资共{amount}元，老板找不到人。",
            "我们在{address}的工地干活，包工头拖欠二十多名工人工资，快过年了都回不了家。",
            "公司以效益不好为由扣发绩效工资{amount}元，没有任何书面说明。",
        ],
    ),
    _p(
        "劳动和社会保障/劳动关系/劳动合同纠纷",
        3,
        FLAT,
        WORKWEEK,
        0.0,
        0.12,
        ["违法解除劳动合同", "不签劳动合同"],
        [
            "我在公司工作了{days}年，公司突然通知辞退我，不给任何补偿。",
            "单位入职半年了一直不跟我签劳动合同，也不交社保。",
        ],
    ),
    _p(
        "劳动和社会保障/城镇职工社会保险/职工养老保险",
        2,
        FLAT,
        WORKWEEK,
        0.0,
        0.10,
        ["社保断缴", "社保转移问题"],
        [
            "公司从去年开始就没给我交社保，我查了一下已经断缴{days}个月。",
            "我从外地调回北京，社保关系转移办了{days}个月还没办好。",
        ],
    ),
    _p(
        "教育文体/教育收费/乱收费",
        2,
        SCHOOL,
        WORKWEEK,
        0.0,
        0.05,
        ["学校乱收费", "培训机构退费难"],
        [
            "孩子在{community}附近的学校上学，学校要求统一购买{amount}元的教辅资料。",
            "{road}的一家培训机构突然关门，预交的{amount}元学费退不回来。",
        ],
    ),
    _p(
        "教育文体/教育行政管理/校园安全",
        2,
        SCHOOL,
        WORKWEEK,
        0.0,
        0.06,
        ["入学问题", "校车安全"],
        [
            "我们是{community}的居民，孩子今年上小学，却被划到了很远的学校。",
            "{landmark}附近的学校门口上下学时段车辆拥堵，希望设置接送车位。",
        ],
    ),
    _p(
        "卫生计生/食品药品监管/食品安全",
        3,
        SUMMER,
        WEEKEND_HIGH,
        0.03,
        0.04,
        ["餐馆卫生差", "食品过期", "外卖食品安全"],
        [
            "我在{road}{landmark}旁边的饭馆吃饭后全家都拉肚子，后厨卫生很差。",
            "{community}附近的超市卖过期食品，我买的牛奶已经过期{days}天了。",
        ],
    ),
    _p(
        "卫生计生/医政监管/医疗技术和服务",
        2,
        WINTER,
        WORKWEEK,
        0.02,
        0.08,
        ["医院服务态度", "挂号难"],
        [
            "我在{landmark}看病，医生态度恶劣，问几句就不耐烦。",
            "{landmark}挂号太难了，早上{early_hour}去排队都挂不上号。",
        ],
    ),
    _p(
        "商贸旅游/市场监管/商品质量",
        4,
        FLAT,
        WEEKEND_HIGH,
        0.0,
        0.04,
        ["商家虚假宣传", "预付卡退费", "缺斤短两"],
        [
            "{road}的一家健身房办了{amount}元的卡，现在关门了，老板联系不上。",
            "{community}菜市场有摊位缺斤短两，我买的两斤肉只有一斤六两。",
            "在{landmark}附近的店里买的电器，商家虚假宣传，拒绝退货。",
        ],
    ),
    _p(
        "民政/社会救助/城镇低保",
        1.5,
        WINTER,
        WORKWEEK,
        0.02,
        0.15,
        ["低保申请", "困难救助"],
        [
            "我家住在{address}，家里老人重病，收入很低，申请低保{days}个月了一直没有结果。",
            "{community}有一位独居老人生活困难，冬天没有取暖，希望社区给予帮助。",
        ],
    ),
    _p(
        "民政/基层选举和社区建设/社区建设",
        1,
        FLAT,
        WORKWEEK,
        0.0,
        0.08,
        ["社区服务", "居委会办事难"],
        [
            "{community}居委会办事效率低，开个证明跑了{days}次都没办好。",
            "希望{community}增设老年人日间照料中心，方便社区老人。",
        ],
    ),
)
