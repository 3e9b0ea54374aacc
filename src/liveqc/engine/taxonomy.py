"""The shared vocabulary of the compliance scan contract: codes, categories, scenes, severities."""

from __future__ import annotations

#: The twelve violation codes of the compliance-scan contract, in contract order.
CODES: tuple[str, ...] = (
    "absolute_term",
    "medical_claim",
    "efficacy_unsupported",
    "guarantee_claim",
    "price_fraud",
    "endorsement_misuse",
    "prohibited_product",
    "minor_protection",
    "off_platform_transaction",
    "superstition",
    "consumer_rights_denial",
    "infant_formula_ad",
)

#: Product categories a scan may name.
CATEGORIES: frozenset[str] = frozenset(
    {
        "cosmetics",
        "food",
        "health_food",
        "general",
        "apparel",
        "electronics",
        "appliance",
        "baby",
        "toy",
        "medical_device",
        "drug",
        "tobacco",
        "agriculture",
        "jewelry",
    }
)

#: Where an utterance comes from: a prepared script, a live transcript (ASR), a viewer comment,
#: a product title or on-screen text (OCR).
SCENES: frozenset[str] = frozenset({"script", "transcript", "comment", "title", "ocr"})

#: Severities, most severe first (the order decides which rule names a merged finding).
SEVERITIES: tuple[str, ...] = ("high", "medium", "low")
SEVERITY_RANK: dict[str, int] = {s: i for i, s in enumerate(SEVERITIES)}

#: The main legal basis per code, used for organisation dictionary entries.
DEFAULT_BASIS: dict[str, str] = {
    "absolute_term": "Advertising Law art. 9(3)",
    "medical_claim": "Advertising Law art. 17; Food Safety Law art. 73",
    "efficacy_unsupported": "Cosmetics Supervision and Administration Regulation art. 22",
    "guarantee_claim": "Advertising Law art. 16, 18, 28",
    "price_fraud": "Provisions on Clearly Marking Prices and Prohibiting Price Fraud (2022)",
    "endorsement_misuse": "Advertising Law art. 9(2), 16, 18",
    "prohibited_product": "Tobacco Monopoly Law; Advertising Law art. 15, 22",
    "minor_protection": "Minors Protection Law; Live-Streaming Marketing Measures (2021)",
    "off_platform_transaction": "Live-Streaming Marketing Measures (2021) art. 18",
    "superstition": "Advertising Law art. 9(8)",
    "consumer_rights_denial": "Consumer Rights Protection Law art. 25, 26",
    "infant_formula_ad": "Advertising Law art. 20",
}
