"""A hand-made official document that exercises every part of the layout."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from khuyencong.documents.model import Heading, OfficialDocument, Paragraph, Table


def sample(letter: bool = False) -> OfficialDocument:
    rows = [
        [1, "Hà Tĩnh", 2_080_000_000, 1_400_000_000, Decimal("67.31")],
        [2, "Nghệ An", 1_250_000_000, 0, None],
        [3, "Thừa Thiên Huế", 900_000_000, 450_000_000, Decimal("50")],
    ]
    return OfficialDocument(
        kind="reminder_letter" if letter else "periodic_report",
        issuer_parent="BỘ CÔNG THƯƠNG",
        issuer="CỤC CÔNG THƯƠNG ĐỊA PHƯƠNG",
        number="123/BC-CTĐP",
        place="Hà Nội",
        date=dt.date(2022, 7, 15),
        title="" if letter else "BÁO CÁO",
        subject="Kết quả thực hiện hoạt động khuyến công 6 tháng đầu năm 2022",
        addressees=["Sở Công Thương tỉnh Hà Tĩnh", "Sở Công Thương tỉnh Nghệ An"] if letter else [],
        blocks=[
            Paragraph("Thực hiện nhiệm vụ được giao, Cục báo cáo như sau:"),
            Heading("I. KẾ HOẠCH VÀ GIẢI NGÂN"),
            Heading("1. Giải ngân", level=2),
            Paragraph("Kinh phí đã giải ngân 1.850.000.000 đồng.", italic=True),
            Table(
                title="Biểu 1. Kinh phí theo tỉnh",
                columns=["STT", "Tỉnh", "Kế hoạch", "Đã giải ngân", "Tỷ lệ (%)"],
                rows=rows,
                total=["", "Tổng cộng", 4_230_000_000, 1_850_000_000, Decimal("43.74")],
                numeric=frozenset({2, 3, 4}),
                widths=[0.5, 3, 2, 2, 1],
            ),
        ],
        recipients=["Bộ trưởng (để báo cáo)", "Lưu: VT, KCĐP"],
        signer_authority="KT. CỤC TRƯỞNG",
        signer_title="PHÓ CỤC TRƯỞNG",
        signer_name="Nguyễn Văn An",
        filename="bao-cao-6-thang-2022",
    )
