"""Seed the rulebook from DOMAIN.md §4 and §5 (checked 30/11/2026): the national spending norms of
TTLT 26/2014 and TT 28/2018, Đắk Lắk's local norms of 2025 (the example of a local resolution), the
advance rules of TT 36/2013, provisional dossier lists and the deadline rules of four shapes.

Frozen on purpose: corrections are new versions added in the app or new migrations. Every figure
DOMAIN.md marks **confirm** is seeded as ``unconfirmed`` with what to check, so screens badge it.
A local rule is seeded without its province: ``rulebook.reference`` links it to the province of
its resolution once the territory is loaded (a local rule without a province never applies).
"""

import datetime as dt

from django.db import migrations

from khuyencong.kernel.text import fold

D = dt.date
M = 1_000_000
TT64 = "Thông tư 64/2024/TT-BTC sửa đổi Thông tư 28/2018/TT-BTC: mức chi mới chưa thấy, cần xác nhận."
ADVANCE_NOTE = "Thông tư 17/2018/TT-BCT có sửa đổi quy định tạm ứng hay không: cần xác nhận."

# contents by the number in the 2012 and the 2025 catalogue
C = {
    "start_up": (["2012-02"], ["2025-02"]),
    "training": (["2012-01"], ["2025-01"]),
    "models": (["2012-03"], ["2025-03"]),
    "products": (["2012-04"], ["2025-04"]),
    "cleaner": (["2012-05"], ["2025-05"]),
    "services": (["2012-02", "2012-04", "2012-05", "2012-06", "2012-08"],
                 ["2025-02", "2025-04", "2025-05", "2025-08", "2025-10"]),
    "clusters": (["2012-08"], ["2025-10"]),
    "others": (["2012-02", "2012-04", "2012-05", "2012-06", "2012-07", "2012-08", "2012-09", "2012-10"],
               ["2025-02", "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11",
                "2025-12"]),
}  # fmt: skip

TTLT26, TT28 = "26/2014/TTLT-BTC-BCT", "28/2018/TT-BTC"
P1, P2 = (D(2014, 4, 8), D(2018, 5, 10)), (D(2018, 5, 11), None)

# code, name, contents, area, percent, cap, basis, multiplier, [(document, period, unconfirmed note)]
NORMS = [
    ("founding_enterprise", "Hỗ trợ thành lập doanh nghiệp tại địa bàn khó khăn", "start_up", "disadvantaged",
     None, 10 * M, "establishment", None, [(TTLT26, P1, ""), (TT28, P2, "")]),
    ("demonstration_model", "Xây dựng mô hình trình diễn kỹ thuật", "models", "any",
     30, None, "model", None, []),
    ("replication", "Nhân rộng mô hình của cơ sở hoạt động có hiệu quả", "models", "any",
     None, 100 * M, "establishment", None, []),
    ("machinery", "Ứng dụng máy móc thiết bị tiên tiến, chuyển giao công nghệ", "models", "any",
     50, None, "establishment", None, []),
    ("cleaner_production_pilot", "Mô hình thí điểm áp dụng sản xuất sạch hơn", "cleaner", "any",
     30, 500 * M, "model", None,
     [(TT28, P2, "Mức 30%, 500 triệu đồng chỉ thấy trong văn bản sao lục của tỉnh: cần xác nhận.")]),
    ("pollution_treatment", "Hỗ trợ sửa chữa, nâng cấp hệ thống xử lý ô nhiễm môi trường tại cơ sở", "cleaner", "any",
     30, 300 * M, "establishment", None,
     [(TTLT26, P1, "Mức chi theo Thông tư 28/2018/TT-BTC chưa thấy: cần xác nhận (chưa nạp phiên bản từ 11/5/2018).")]),
    ("fair_abroad", "Tham gia hội chợ, triển lãm ở nước ngoài (chi phí thuê gian hàng, tổ chức)", "products", "any",
     100, None, "event", None, [(TT28, P2, "")]),
    ("study_tour_abroad", "Tham quan khảo sát học tập kinh nghiệm ở nước ngoài (vé máy bay)", "start_up", "any",
     100, None, "person", None, [(TTLT26, P1, ""), (TT28, P2, "")]),
]  # fmt: skip
# the figures that changed on 11/5/2018: code -> [(document, period, percent, cap, multiplier, note)]
CHANGED = {
    "demonstration_model": [(TTLT26, P1, 30, 500 * M, None, ""), (TT28, P2, 30, 1000 * M, None, "")],
    "replication": [
        (TTLT26, P1, None, 100 * M, None, ""),
        (TT28, P2, 30, 100 * M, None, "Mức 30% chỉ thấy trong văn bản sao lục của tỉnh: cần xác nhận."),
    ],
    "machinery": [(TTLT26, P1, 50, 200 * M, None, ""), (TT28, P2, 50, 300 * M, 1.5, "")],
}

DAK_LAK = "NQ-HĐND Đắk Lắk 2025"
LOCAL_NORMS = [
    ("demonstration_model", "Xây dựng mô hình trình diễn kỹ thuật", "models", 30, 800 * M, "model"),
    ("cleaner_production_pilot", "Mô hình thí điểm áp dụng sản xuất sạch hơn", "cleaner", 30, 400 * M, "model"),
]

TT36 = "36/2013/TT-BCT"
FROM_TT36 = D(2014, 2, 10)
ADVANCES = [
    ("advance_training", "Tạm ứng lần đầu: đào tạo nghề, truyền nghề", "training", 70,
     "Căn cứ hợp đồng và kế hoạch đào tạo (Mẫu 11).", ADVANCE_NOTE),
    ("advance_services", "Tạm ứng lần đầu: tư vấn, đào tạo, hội nghị, hội thảo, tham quan, thương hiệu…", "services", 70,
     "Căn cứ hợp đồng và kế hoạch triển khai: tư vấn, đào tạo, huấn luyện, hội nghị, hội thảo, diễn đàn, tham quan "
     "khảo sát, xây dựng và đăng ký thương hiệu, thành lập hiệp hội, xây dựng cụm liên kết doanh nghiệp, đánh giá "
     "sản xuất sạch hơn.", ADVANCE_NOTE),
    ("advance_cluster", "Tạm ứng lần đầu: hạ tầng cụm công nghiệp, xử lý ô nhiễm cụm công nghiệp", "clusters", 30,
     "Khi báo cáo tiến độ cho thấy khối lượng hạng mục được hỗ trợ đã thực hiện trên 50%; kèm hợp đồng hỗ trợ và hợp "
     "đồng giữa chủ đầu tư và nhà thầu (nếu có).", ADVANCE_NOTE),
    ("advance_models", "Mô hình trình diễn, máy móc thiết bị: không tạm ứng, thanh toán sau nghiệm thu", "models", 0,
     "Cấu hình tạm thời: không tạm ứng, thanh toán sau nghiệm thu.",
     "Quy định tạm ứng cho mô hình trình diễn, máy móc thiết bị và các nội dung khác: chưa xác nhận."),
]  # fmt: skip

COMMON_DOSSIER = [
    "Văn bản đề nghị hỗ trợ kinh phí khuyến công quốc gia của đơn vị thực hiện",
    "Đề án khuyến công quốc gia",
    "Văn bản đề nghị của đơn vị thụ hưởng (khi đơn vị thụ hưởng không phải là đơn vị thực hiện)",
]
DOSSIERS = [
    ("dossier_training", "Hồ sơ đề án đào tạo nghề, truyền nghề", "training",
     [*COMMON_DOSSIER, "Kế hoạch đào tạo (Mẫu 11)", "Danh sách học viên dự kiến"]),
    ("dossier_models", "Hồ sơ đề án mô hình trình diễn, máy móc thiết bị, chuyển giao công nghệ", "models",
     [*COMMON_DOSSIER, "Giấy chứng nhận đăng ký kinh doanh của cơ sở", "Thuyết minh kỹ thuật, công nghệ",
      "Báo giá máy móc thiết bị (ít nhất 3 báo giá)", "Báo cáo tài chính năm gần nhất của cơ sở"]),
    ("dossier_other", "Hồ sơ đề án các nội dung khác", "others", [*COMMON_DOSSIER, "Dự toán chi tiết kinh phí"]),
]  # fmt: skip
DOSSIER_NOTE = "Danh mục tạm theo Thông tư 36/2013/TT-BCT: cần đối chiếu văn bản gốc và các mẫu biểu."

DIRECTIVE_2020 = "2990/BCT-CTĐP"
DEADLINES = [
    # code, name, document, from, to, shape, fields, note
    ("registration_to_province", "Nộp hồ sơ đề án về Sở Công Thương (3 bộ), năm trước năm kế hoạch", TT36,
     FROM_TT36, None, "annual", {"month": 5, "day": 20, "year_offset": -1}, ""),
    ("settlement_dossier", "Hồ sơ quyết toán sau lần nghiệm thu cơ sở cuối cùng theo hợp đồng", TT36,
     FROM_TT36, None, "offset", {"event": "last_acceptance", "offset_days": 15}, ""),
    ("liquidation", "Thanh lý hợp đồng và quyết toán, chậm nhất ngày 22/01 năm sau", TT36,
     FROM_TT36, None, "next_year", {"month": 1, "day": 22}, ""),
    ("contract_signing", "Ký hợp đồng các đề án KCQG năm 2020 đã phê duyệt", DIRECTIVE_2020,
     D(2020, 1, 1), D(2020, 12, 31), "one_off", {"due_on": D(2020, 5, 15), "applies_to_year": 2020},
     "Ngày ban hành Công văn 2990/BCT-CTĐP (năm 2020): cần xác nhận."),
    ("revised_proposals", "Gửi đề án điều chỉnh năm 2020", DIRECTIVE_2020,
     D(2020, 1, 1), D(2020, 12, 31), "one_off", {"due_on": D(2020, 5, 25), "applies_to_year": 2020},
     "Ngày ban hành Công văn 2990/BCT-CTĐP (năm 2020): cần xác nhận."),
]  # fmt: skip


def _contents(apps, key, period):
    ActivityContent = apps.get_model("rulebook", "ActivityContent")
    old, new = C[key]
    start, end = period
    codes = list(old)
    if end is None or end >= D(2025, 10, 15):  # in force when the 2025 catalogue is
        codes += new
    return list(ActivityContent.objects.filter(code__in=codes))


def _series(model, level, province, code, parts=()):
    return "/".join([model, level, province or level, code, *parts])


def seed(apps, schema_editor):
    Doc = apps.get_model("rulebook", "LegalDocument")
    docs = {d.number: d for d in Doc.objects.all()}
    Norm = apps.get_model("rulebook", "SpendingNorm")
    Advance = apps.get_model("rulebook", "AdvanceRule")
    Dossier = apps.get_model("rulebook", "DossierList")
    Deadline = apps.get_model("rulebook", "DeadlineRule")

    def versions(model, rows, name, code, contents_key, level="national", parts=(), **fixed):
        previous = None
        for number, period, fields, note in rows:
            rule = model.objects.create(
                series=_series(model._meta.model_name, level, None, code, parts),
                code=code, name=name, folded_name=fold(f"{code} {name}"), level=level, legal_document=docs[number], effective_from=period[0],
                effective_to=period[1], supersedes=previous, unconfirmed=bool(note), unconfirmed_note=note,
                **fixed, **fields,
            )
            if contents_key:
                rule.contents.set(_contents(apps, contents_key, period))
            previous = rule

    for code, name, key, area, percent, cap, basis, multiplier, rows in NORMS:
        parts = ("any", area, "any")
        if code in CHANGED:
            rows = [
                (number, period, {"percent_cap": p, "amount_cap": a, "line_multiplier": m}, note)
                for number, period, p, a, m, note in CHANGED[code]
            ]
        else:
            rows = [
                (number, period, {"percent_cap": percent, "amount_cap": cap, "line_multiplier": multiplier}, note)
                for number, period, note in rows
            ]
        versions(Norm, rows, name, code, key, parts=parts, area=area, basis=basis, project_kind="",
                 beneficiary="any", note=TT64 if any(r[0] == TT28 for r in rows) else "")  # fmt: skip
    for code, name, key, percent, cap, basis in LOCAL_NORMS:
        rule = Norm.objects.create(
            series=_series("spendingnorm", "local", None, code, ("any", "any", "any")),
            code=code, name=name, folded_name=fold(f"{code} {name}"), level="local", legal_document=docs[DAK_LAK], effective_from=D(2025, 7, 26),
            percent_cap=percent, amount_cap=cap, basis=basis, area="any", beneficiary="any", project_kind="",
            note="Định mức khuyến công địa phương của tỉnh Đắk Lắk (ví dụ một nghị quyết HĐND tỉnh).",
        )
        rule.contents.set(_contents(apps, key, (D(2025, 7, 26), None)))
    for code, name, key, percent, conditions, note in ADVANCES:
        versions(Advance, [(TT36, (FROM_TT36, None), {"first_advance_percent": percent}, note)], name, code, key,
                 conditions=conditions)  # fmt: skip
    for code, name, key, documents in DOSSIERS:
        versions(Dossier, [(TT36, (FROM_TT36, None), {"documents": documents}, DOSSIER_NOTE)], name, code, key)
    for code, name, number, start, end, shape, fields, note in DEADLINES:
        parts = (str(fields["applies_to_year"]),) if shape == "one_off" else ()
        versions(Deadline, [(number, (start, end), fields, note)], name, code, None, parts=parts, shape=shape)


def unseed(apps, schema_editor):
    for name in ("SpendingNorm", "AdvanceRule", "DossierList", "DeadlineRule"):
        model = apps.get_model("rulebook", name)
        model.objects.update(supersedes=None)
        model.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("rulebook", "0003_versioned_rules")]
    operations = [migrations.RunPython(seed, unseed)]
