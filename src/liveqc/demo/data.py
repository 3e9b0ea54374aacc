"""The demo data set: the organisations and users of the API access contract, and each agency's
suppliers and products."""

from __future__ import annotations

from liveqc.accounts.models import OrganisationKind as K
from liveqc.accounts.models import Role as R
from liveqc.products.models import ProductCategory as C
from liveqc.products.models import ProductStatus as S

DEMO_PASSWORD = "demo-password"

# name, kind, region
ORGANISATIONS = [
    ("星河直播", K.AGENCY, "浙江省杭州市滨江区"),
    ("青禾优选", K.AGENCY, "浙江省杭州市余杭区"),
    ("快购平台", K.PLATFORM, "浙江省杭州市"),
    ("滨江区市场监管局", K.REGULATOR, "浙江省杭州市滨江区"),
    ("市消费者协会", K.CONSUMER_ASSOCIATION, "浙江省杭州市"),
]

# email, display name, organisation, roles
USERS = [
    ("qc@xinghe.example", "林晓雯", "星河直播", [R.QC_REVIEWER]),
    ("compliance@xinghe.example", "周敏", "星河直播", [R.COMPLIANCE_REVIEWER]),
    ("aftersales@xinghe.example", "陈佳", "星河直播", [R.AFTER_SALES]),
    ("admin@xinghe.example", "王磊", "星河直播", [R.ADMIN]),
    ("qc@qinghe.example", "赵一鸣", "青禾优选", [R.QC_REVIEWER]),
    ("admin@qinghe.example", "孙婷", "青禾优选", [R.ADMIN]),
    ("risk@kuaigou.example", "刘洋", "快购平台", [R.COMPLIANCE_REVIEWER]),
    ("inspector@binjiang.example", "郑国栋", "滨江区市场监管局", [R.INSPECTOR]),
    ("staff@xiaoxie.example", "吴静", "市消费者协会", [R.VIEWER]),
]

# key, name, region code, organisation-code base, region, contact
SUPPLIERS = {
    "星河直播": [
        ("meiyan", "杭州美妍生物科技有限公司", "330108", "MA2H7K3Q", "浙江省杭州市滨江区", "何丽"),
        ("hefeng", "浙江禾丰食品有限公司", "330481", "MA29D8L1", "浙江省嘉兴市海宁市", "沈建"),
        ("zhijia", "宁波智家电器有限公司", "330282", "MA2AY5N6", "浙江省宁波市慈溪市", "任涛"),
    ],
    "青禾优选": [
        ("tongqu", "义乌童趣玩具有限公司", "330782", "MA2EC4R7", "浙江省金华市义乌市", "朱琳"),
        ("chuyi", "广州初衣服饰有限公司", "440106", "MA59K2T8", "广东省广州市天河区", "黄伟"),
        ("yangsheng", "上海康源营养品有限公司", "310115", "MA1G6W0B", "上海市浦东新区", "许诺"),
    ],
}

# sku, supplier key, name, brand, category, specification, status
PRODUCTS = {
    "星河直播": [
        ("XH-001", "meiyan", "玻尿酸补水保湿精华液", "美妍", C.COSMETICS, "30ml", S.APPROVED),
        ("XH-002", "meiyan", "烟酰胺焕亮面膜", "美妍", C.COSMETICS, "25ml×10片", S.VETTING),
        ("XH-003", "meiyan", "清透防晒乳 SPF50+ PA++++", "美妍", C.COSMETICS, "50ml", S.VETTING),
        ("XH-004", "hefeng", "手工黑芝麻丸", "禾丰", C.FOOD, "360g（9g×40丸）", S.APPROVED),
        ("XH-005", "hefeng", "每日坚果混合装", "禾丰", C.FOOD, "750g（25g×30袋）", S.APPROVED),
        ("XH-006", "hefeng", "低糖全麦吐司", "禾丰", C.FOOD, "400g", S.DRAFT),
        ("XH-007", "zhijia", "多功能电煮锅", "智家", C.APPLIANCE, "1.8L 600W", S.VETTING),
        ("XH-008", "zhijia", "负离子高速吹风机", "智家", C.APPLIANCE, "1600W", S.APPROVED),
    ],
    "青禾优选": [
        ("QH-001", "tongqu", "儿童益智磁力片积木", "童趣", C.TOY, "100片", S.APPROVED),
        ("QH-002", "tongqu", "遥控越野车", "童趣", C.TOY, "1:16", S.VETTING),
        ("QH-003", "tongqu", "婴儿硅胶牙胶", "童趣", C.BABY, "单只装", S.VETTING),
        ("QH-004", "chuyi", "纯棉短袖T恤", "初衣", C.APPAREL, "M/L/XL", S.APPROVED),
        ("QH-005", "chuyi", "儿童加绒卫衣", "初衣", C.APPAREL, "110-150cm", S.DRAFT),
        ("QH-006", "yangsheng", "维生素C咀嚼片", "康源", C.HEALTH_FOOD, "60片", S.VETTING),
        ("QH-007", "yangsheng", "蛋白粉", "康源", C.HEALTH_FOOD, "400g", S.APPROVED),
        ("QH-008", "yangsheng", "冻干草莓脆", "康源", C.FOOD, "30g×6袋", S.APPROVED),
    ],
}
