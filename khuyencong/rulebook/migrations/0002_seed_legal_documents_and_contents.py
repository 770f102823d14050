"""Seed the legal texts of DOMAIN.md §4 (checked 30/11/2026) and the two versions of the activity catalogue.

Frozen here on purpose: later corrections are new migrations or new rule versions made in the app,
never edits of this file. Whatever DOMAIN.md marks as unconfirmed is written into ``to_confirm`` /
``provisional`` so that the screens say so.
"""

import datetime as dt

from django.db import migrations

from khuyencong.kernel.text import fold

D = dt.date
CP = "Chính phủ"
TTG = "Thủ tướng Chính phủ"
BCT = "Bộ Công Thương"
BTC = "Bộ Tài chính"

# number, type, body, issued, effective, expires, field, title, summary, to_confirm, province code
DOCUMENTS = [
    ("45/2012/NĐ-CP", "decree", CP, D(2012, 5, 21), D(2012, 7, 10), None, "programme",
     "Nghị định về khuyến công",
     "Nội dung hoạt động khuyến công, đối tượng và địa bàn được hưởng, nhóm ưu tiên, phê duyệt chương trình.",
     "Ngày ban hành, ngày hiệu lực và người ký: cần xác nhận với bản Công báo.", None),
    ("235/2025/NĐ-CP", "decree", CP, D(2025, 8, 27), D(2025, 10, 15), None, "programme",
     "Nghị định sửa đổi, bổ sung một số điều của Nghị định 45/2012/NĐ-CP về khuyến công",
     "Bổ sung sản xuất và tiêu dùng bền vững, chuyển đổi số, hỗ trợ nghệ nhân bảo tồn nghề thủ công; địa bàn "
     "mới sau sắp xếp đơn vị hành chính. Đề án phê duyệt trước 15/10/2025 tiếp tục thực hiện theo quy định cũ.",
     "Câu chữ và số thứ tự các nội dung hoạt động: cần đối chiếu bản Công báo.", None),
    ("46/2012/TT-BCT", "circular", BCT, D(2012, 12, 28), None, None, "programme",
     "Thông tư quy định chi tiết một số nội dung của Nghị định 45/2012/NĐ-CP về khuyến công",
     "Đề án khuyến công quốc gia (Cục quản lý, kinh phí KCQG, kế hoạch của Bộ trưởng) và đề án khuyến công địa "
     "phương (Sở Công Thương, UBND tỉnh, ngân sách địa phương).",
     "Ngày ban hành và hiệu lực: cần xác nhận. Văn bản thay thế sau Nghị định 235/2025: chưa tìm thấy.", None),
    ("20/2017/TT-BCT", "circular", BCT, D(2017, 9, 29), None, None, "programme",
     "Thông tư sửa đổi, bổ sung Thông tư 46/2012/TT-BCT", "", "Ngày hiệu lực: cần xác nhận.", None),
    ("36/2013/TT-BCT", "circular", BCT, D(2013, 12, 27), D(2014, 2, 10), None, "programme",
     "Thông tư quy định về xây dựng kế hoạch, tổ chức thực hiện và quản lý kinh phí khuyến công quốc gia",
     "Xây dựng kế hoạch, thẩm định, hợp đồng, tạm ứng, quyết toán đề án khuyến công quốc gia.", "", None),
    ("17/2018/TT-BCT", "circular", BCT, None, None, None, "programme",
     "Thông tư sửa đổi, bổ sung Thông tư 36/2013/TT-BCT", "",
     "Ngày ban hành, hiệu lực và nội dung sửa đổi (đặc biệt về tạm ứng): cần xác nhận.", None),
    ("26/2014/TTLT-BTC-BCT", "joint_circular", "Bộ Tài chính – Bộ Công Thương", None, D(2014, 4, 8),
     D(2018, 5, 10), "finance",
     "Thông tư liên tịch hướng dẫn lập, quản lý và sử dụng kinh phí khuyến công",
     "Định mức chi khuyến công quốc gia đến 10/5/2018.", "Ngày ban hành: cần xác nhận.", None),
    ("28/2018/TT-BTC", "circular", BTC, D(2018, 3, 28), D(2018, 5, 11), None, "finance",
     "Thông tư hướng dẫn lập, quản lý và sử dụng kinh phí khuyến công",
     "Lập và giao dự toán, định mức chi khuyến công quốc gia, nhóm ưu tiên, hạch toán (khoản 280, mục 309).",
     "", None),
    ("64/2024/TT-BTC", "circular", BTC, D(2024, 8, 28), None, None, "finance",
     "Thông tư sửa đổi, bổ sung Thông tư 28/2018/TT-BTC",
     "", "Ngày hiệu lực và các mức chi mới: cần xác nhận.", None),
    ("08/2024/NQ-HĐND", "resolution", "HĐND tỉnh Đồng Tháp", None, None, None, "finance",
     "Nghị quyết quy định nội dung, mức chi khuyến công địa phương tỉnh Đồng Tháp", "",
     "Ngày ban hành, hiệu lực và các mức chi: cần xác nhận.", "87"),
    ("NQ-HĐND Đắk Lắk 2025", "resolution", "HĐND tỉnh Đắk Lắk", None, D(2025, 7, 26), None, "finance",
     "Nghị quyết quy định mức chi khuyến công địa phương tỉnh Đắk Lắk",
     "Mô hình trình diễn kỹ thuật tối đa 30%, không quá 800 triệu đồng; mô hình thí điểm sản xuất sạch hơn tối đa "
     "30%, không quá 400 triệu đồng.",
     "Số hiệu và ngày ban hành: cần xác nhận.", "66"),
    ("23/2025/NQ-HĐND", "resolution", "HĐND tỉnh Phú Thọ", None, D(2026, 1, 1), None, "finance",
     "Nghị quyết quy định mức chi khuyến công địa phương tỉnh Phú Thọ", "",
     "Ngày ban hành và các mức chi: cần xác nhận.", "25"),
    ("26/2014/TT-BCT", "circular", BCT, None, D(2014, 10, 21), None, "competition",
     "Thông tư quy định về tổ chức bình chọn sản phẩm công nghiệp nông thôn tiêu biểu", "", "", None),
    ("14/2018/TT-BCT", "circular", BCT, None, D(2018, 8, 16), None, "competition",
     "Thông tư sửa đổi, bổ sung Thông tư 26/2014/TT-BCT", "", "", None),
    ("38/2025/TT-BCT", "circular", BCT, None, D(2025, 7, 1), None, "competition",
     "Thông tư sửa đổi, bổ sung quy định về bình chọn sản phẩm công nghiệp nông thôn tiêu biểu", "", "", None),
    ("46/VBHN-BCT", "consolidated", BCT, D(2025, 10, 13), None, None, "competition",
     "Văn bản hợp nhất Thông tư quy định về tổ chức bình chọn sản phẩm công nghiệp nông thôn tiêu biểu", "", "",
     None),
    ("1288/QĐ-TTg", "decision", TTG, D(2014, 8, 1), D(2014, 8, 1), D(2020, 12, 31), "programme",
     "Quyết định phê duyệt Chương trình khuyến công quốc gia đến năm 2020", "", "", None),
    ("1881/QĐ-TTg", "decision", TTG, D(2020, 11, 20), D(2020, 11, 20), D(2025, 12, 31), "programme",
     "Quyết định phê duyệt Chương trình khuyến công quốc gia giai đoạn 2021–2025",
     "Mục tiêu 2021–2025: 340 mô hình trình diễn, 1.600 máy móc thiết bị và 300 dây chuyền công nghệ, đánh giá "
     "sản xuất sạch hơn tại 300 cơ sở, 350 cơ sở được hỗ trợ xây dựng nhãn hiệu, đào tạo nghề 10.000 lao động…",
     "", None),
    ("2646/QĐ-BCT", "decision", BCT, D(2025, 9, 23), D(2025, 9, 23), D(2030, 12, 31), "programme",
     "Quyết định phê duyệt Chương trình khuyến công quốc gia giai đoạn 2026–2030", "",
     "Chỉ tiêu định lượng trong phụ lục: cần nạp sau khi đối chiếu.", None),
    ("20/CT-BCT", "directive", BCT, D(2025, 12, 4), D(2025, 12, 4), None, "programme",
     "Chỉ thị về tăng cường công tác khuyến công", "", "Trích yếu: cần xác nhận.", None),
    ("2990/BCT-CTĐP", "official_letter", BCT, None, None, None, "programme",
     "Về việc triển khai kế hoạch khuyến công quốc gia năm 2020",
     "Ký hợp đồng các đề án KCQG đã phê duyệt trước 15/5/2020; gửi đề án điều chỉnh trước 25/5/2020; báo cáo "
     "thường xuyên; nêu rõ đề án bị ảnh hưởng bởi thiên tai, dịch bệnh để điều chỉnh, bổ sung kế hoạch.",
     "Ngày ban hành (năm 2020): cần xác nhận.", None),
    ("8474/BCT-CTĐP", "official_letter", BCT, D(2019, 11, 7), D(2019, 11, 7), None, "programme",
     "Về việc hoàn thành kế hoạch khuyến công năm 2019 và xây dựng kế hoạch năm 2020",
     "28 tỉnh phía Bắc hoàn thành kế hoạch 2019, báo cáo đúng hạn làm cơ sở đánh giá, khen thưởng; nghiệm thu, "
     "kiểm tra tại cơ sở; xây dựng kế hoạch 2020 có trọng tâm (đề án điểm, đề án nhóm); hoàn thiện cơ sở dữ "
     "liệu cơ sở CNNT.", "", None),
]

REPLACES = {"28/2018/TT-BTC": "26/2014/TTLT-BTC-BCT"}
AMENDS = {
    "235/2025/NĐ-CP": ["45/2012/NĐ-CP"],
    "20/2017/TT-BCT": ["46/2012/TT-BCT"],
    "17/2018/TT-BCT": ["36/2013/TT-BCT"],
    "64/2024/TT-BTC": ["28/2018/TT-BTC"],
    "14/2018/TT-BCT": ["26/2014/TT-BCT"],
    "38/2025/TT-BCT": ["26/2014/TT-BCT"],
}

CONTENTS_2012 = [
    "Đào tạo nghề, truyền nghề",
    "Nâng cao năng lực quản lý (khởi sự doanh nghiệp, hội thảo, tham quan khảo sát)",
    "Mô hình trình diễn kỹ thuật, chuyển giao công nghệ, ứng dụng máy móc thiết bị tiên tiến",
    "Phát triển sản phẩm công nghiệp nông thôn (bình chọn, hội chợ, thương hiệu, phòng trưng bày, thiết kế)",
    "Sản xuất sạch hơn, xử lý ô nhiễm môi trường",
    "Tư vấn, trợ giúp",
    "Cung cấp thông tin, tuyên truyền",
    "Liên doanh, liên kết, hợp tác kinh tế, phát triển cụm liên kết, cụm công nghiệp",
    "Hợp tác quốc tế về khuyến công",
    "Nâng cao năng lực quản lý và tổ chức thực hiện chương trình",
]
CONTENTS_2025 = [
    "Đào tạo nghề, truyền nghề gắn với nhu cầu của cơ sở",
    "Nâng cao năng lực quản lý (khởi sự doanh nghiệp, hội thảo, tham quan khảo sát)",
    "Mô hình trình diễn kỹ thuật, chuyển giao và ứng dụng công nghệ mới, máy móc thiết bị tiên tiến",
    "Phát triển sản phẩm công nghiệp nông thôn (hội chợ, triển lãm, bình chọn sản phẩm, thương hiệu)",
    "Sản xuất sạch hơn, sản xuất và tiêu dùng bền vững",
    "Chuyển đổi số trong cơ sở công nghiệp nông thôn",
    "Hỗ trợ nghệ nhân bảo tồn và phát triển nghề thủ công",
    "Tư vấn, trợ giúp",
    "Cung cấp thông tin, tuyên truyền",
    "Liên kết, cụm liên kết; phát triển cụm công nghiệp gắn với xử lý môi trường",
    "Hợp tác quốc tế về khuyến công",
    "Nâng cao năng lực quản lý và tổ chức thực hiện chương trình",
]


def seed(apps, schema_editor):
    LegalDocument = apps.get_model("rulebook", "LegalDocument")
    ActivityContent = apps.get_model("rulebook", "ActivityContent")
    Province = apps.get_model("territory", "Province")
    by_number = {}
    for number, kind, body, issued, effective, expires, field, title, summary, confirm, province in DOCUMENTS:
        # Provinces are loaded after migrations (``khuyencong migrate``): the link of a local
        # resolution to its province is made by ``rulebook.reference.load_reference_data``.
        prov = Province.objects.filter(code=province).order_by("valid_from").first() if province else None
        doc = LegalDocument.objects.create(
            number=number, doc_type=kind, issuing_body=body, issued_on=issued, effective_from=effective,
            expires_on=expires, field=field, title=title, summary=summary, to_confirm=confirm, province=prov,
            search_text=fold(f"{number} {title} {body} {summary}"),
        )
        by_number[number] = doc
    for number, replaced in REPLACES.items():
        LegalDocument.objects.filter(pk=by_number[number].pk).update(replaces=by_number[replaced])
    for number, targets in AMENDS.items():
        by_number[number].amends.set([by_number[t] for t in targets])
    for catalogue, names, doc, start, end, provisional in (
        ("2012", CONTENTS_2012, "45/2012/NĐ-CP", D(2012, 7, 10), D(2025, 10, 14), True),
        ("2025", CONTENTS_2025, "235/2025/NĐ-CP", D(2025, 10, 15), None, True),
    ):
        for number, name in enumerate(names, start=1):
            ActivityContent.objects.create(
                catalogue=catalogue, number=number, code=f"{catalogue}-{number:02d}", name=name,
                legal_document=by_number[doc], effective_from=start, effective_to=end, provisional=provisional,
                note="Câu chữ, số thứ tự: cần đối chiếu văn bản gốc." if provisional else "",
                folded_name=fold(f"{catalogue}-{number:02d} {name}"),
            )


def unseed(apps, schema_editor):
    apps.get_model("rulebook", "ActivityContent").objects.all().delete()
    LegalDocument = apps.get_model("rulebook", "LegalDocument")
    LegalDocument.objects.update(replaces=None)
    LegalDocument.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("rulebook", "0001_initial"), ("territory", "0002_city_grades")]
    operations = [migrations.RunPython(seed, unseed)]
