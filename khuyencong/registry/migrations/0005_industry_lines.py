from django.db import migrations

# Common rural industry lines from Vietnam's standard industrial classification (VSIC 2018, level 4),
# so imports and forms work out of the box. Administrators extend or version the catalogue in the
# admin; codes and wording to be confirmed against Quyết định 27/2018/QĐ-TTg.
LINES = [
    ("1010", "Chế biến, bảo quản thịt và các sản phẩm từ thịt"),
    ("1020", "Chế biến, bảo quản thủy sản và các sản phẩm từ thủy sản"),
    ("1030", "Chế biến và bảo quản rau quả"),
    ("1061", "Xay xát và sản xuất bột thô"),
    ("1079", "Sản xuất thực phẩm khác chưa được phân vào đâu"),
    ("1104", "Sản xuất đồ uống không cồn, nước khoáng"),
    ("1311", "Sản xuất sợi"),
    ("1312", "Sản xuất vải dệt thoi"),
    ("1410", "May trang phục (trừ trang phục từ da lông thú)"),
    ("1610", "Cưa, xẻ, bào gỗ và bảo quản gỗ"),
    ("1629", "Sản xuất sản phẩm khác từ gỗ; sản xuất sản phẩm từ tre, nứa, rơm, rạ và vật liệu tết bện"),
    ("2393", "Sản xuất sản phẩm gốm sứ khác"),
    ("2395", "Sản xuất bê tông và các sản phẩm từ bê tông, xi măng và thạch cao"),
    ("2511", "Sản xuất các cấu kiện kim loại"),
    ("2593", "Sản xuất dao kéo, dụng cụ cầm tay và đồ kim loại thông dụng"),
    ("2821", "Sản xuất máy nông nghiệp và lâm nghiệp"),
    ("3100", "Sản xuất giường, tủ, bàn, ghế"),
    ("3211", "Sản xuất đồ kim hoàn và chi tiết liên quan"),
    ("3290", "Sản xuất khác chưa được phân vào đâu"),
]


def seed(apps, schema_editor):
    from khuyencong.kernel.text import fold

    IndustryLine = apps.get_model("registry", "IndustryLine")
    for code, name in LINES:
        IndustryLine.objects.get_or_create(
            catalogue="VSIC-2018", code=code, defaults={"name": name, "folded_name": fold(f"{code} {name}")}
        )


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_search_text_place_names")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
