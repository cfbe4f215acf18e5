"""What residents say when they ask for a service, for the demo's tickets: a few phrasings for
the common items, the item's own name for the rest."""

from __future__ import annotations

import random
from typing import Any

SAID: dict[str, tuple[str, ...]] = {
    "PE-PIPE-LEAK": ("厨房水管漏水，地上都是水", "卫生间水管接头滴水", "楼上漏水漏到我家了，水管要修"),
    "PE-DRAIN-UNBLOCK": ("下水道堵了，水下不去", "厨房水槽堵住了"),
    "PE-TOILET-UNBLOCK": ("马桶堵了，冲不下去", "卫生间马桶不通"),
    "PE-TAP": ("水龙头关不紧，一直滴水", "想换个厨房水龙头"),
    "PE-CIRCUIT-FAULT": ("家里一开空调就跳闸", "半边房子没电了"),
    "PE-LIGHTING": ("客厅灯不亮了", "楼道灯坏了，晚上很黑"),
    "PE-SOCKET-SWITCH": ("插座松了，插头插不牢", "开关按了没反应"),
    "AR-AC-REPAIR": ("空调不制冷", "空调开了一直滴水", "空调遥控没反应，外机不转"),
    "AR-AC-CLEAN": ("空调要清洗一下，有异味", "两台挂机需要清洗"),
    "AR-WASHER": ("洗衣机不脱水", "洗衣机不进水"),
    "AR-FRIDGE": ("冰箱不冷了", "冰箱冷藏室结冰"),
    "AR-WATER-HEATER": ("热水器打不着火", "热水器出水不热"),
    "AR-GAS-STOVE": ("燃气灶点不着", "灶台一边火很小"),
    "HK-CLEAN-HOURLY": ("每周六上午需要钟点工打扫卫生", "想找阿姨打扫一下，三个钟头"),
    "HK-NANNY-LIVEIN": ("想请个住家保姆照顾老人", "家里需要一个住家阿姨"),
    "HK-ELDER-NANNY": ("老人中风了，需要护老保姆",),
    "MC-DEEP-CLEAN": ("过年前想做个全屋深度保洁", "房子要彻底打扫一遍"),
    "MC-HOUSE-MOVE": ("下周六搬家，两室一厅", "想找搬家公司，从南湖搬到秀洲"),
    "MC-SMALL-MOVE": ("搬一台冰箱到楼上", "几件家具要挪个地方"),
    "EC-VISIT": ("独居老人，希望志愿者每周上门陪聊", "我妈一个人住，想有人常去看看"),
    "EC-BATH": ("老人行动不便，需要助浴服务", "家里老人洗澡不方便，想申请助浴"),
    "EC-HAIRCUT": ("老人腿脚不好，想请人上门理发",),
    "EC-MEDICINE": ("帮老人去医院配点降压药", "需要代配药"),
    "EC-MEAL-DELIVERY": ("老人想订助餐送餐", "每天中午送一份饭"),
    "EC-HOME-CARE": ("需要人上门照料老人几个小时",),
    "EH-UNLOCK": ("钥匙锁在家里了，进不了门", "门锁坏了打不开，很急"),
    "EH-BURST-PIPE": ("水管爆了，水喷得到处都是", "楼下总阀爆管了"),
    "EH-POWER-FAILURE": ("整栋楼突然停电了", "家里突然全部没电"),
    "EH-ELDERLY-FALL": ("一键通报警：老人在卫生间摔倒", "老人摔倒了起不来"),
    "ME-HOSPITAL-ESCORT": ("明天要去二院看病，需要人陪同", "老人去医院复查，子女不在身边"),
    "ME-NIGHT-CARE": ("住院需要夜间陪护", "老人住院，晚上要人陪"),
    "HR-DOOR-WINDOW": ("窗户关不上了", "防盗门关起来很响"),
    "HR-ROOF-LEAK": ("下雨屋顶漏水", "顶楼漏雨，天花板都湿了"),
    "HR-WATERPROOF": ("卫生间渗水到楼下了",),
    "LC-LEASE": ("房东不退押金怎么办", "租房合同纠纷想咨询"),
    "LC-LABOUR": ("公司拖欠工资，想咨询一下", "被辞退了没有补偿"),
    "CA-PENSION-CERT": ("老人养老金资格认证怎么办理",),
    "CA-ELDERLY-CARD": ("老年卡在哪里办", "想给父亲办老年卡"),
    "CA-PROPERTY-COMPLAINT": ("物业不管楼道堆放杂物", "小区物业乱收停车费"),
    "CA-GARBAGE": ("小区垃圾好几天没人清运",),
    "EM-JOB-MATCH": ("想找个保安的工作", "有没有适合五十岁的工作介绍"),
}


def describe(item: Any, rng: random.Random) -> str:
    said = SAID.get(item.code)
    if said:
        return rng.choice(said)
    return rng.choice((f"需要{item.name_zh}", f"想预约{item.name_zh}服务", f"请帮忙安排{item.name_zh}"))
