"""Vietnamese text, the default language. Keys name the meaning; {fields} are filled by text()."""

MESSAGES: dict[str, str] = {
    # --- verdicts ---
    "verdict.met": "Đạt",
    "verdict.on_track": "Đúng tiến độ",
    "verdict.at_risk": "Có nguy cơ không đạt",
    "verdict.not_met": "Không đạt",
    "verdict.none": "Chưa có số liệu",
    # --- campaign file ---
    "campaign.unreadable": "Không đọc được tệp chiến dịch {file}: {error}",
    "campaign.syntax": "Tệp chiến dịch {file} sai cú pháp TOML: {error}",
    "campaign.section": "Tệp chiến dịch {file}: [{section}] phải là một mục (bảng) TOML.",
    "campaign.missing": "Tệp chiến dịch {file}: thiếu khóa {key}.",
    "campaign.bad_value": "Tệp chiến dịch {file}: {key} = {value!r} không hợp lệ — {problem}.",
    "campaign.want_text": "cần một đoạn chữ không rỗng",
    "campaign.too_long": "dài quá {limit} ký tự",
    "campaign.want_zone": 'cần tên múi giờ IANA, ví dụ "Asia/Ho_Chi_Minh"',
    "campaign.want_date": "cần một ngày dạng 2024-01-27",
    "campaign.want_span": "cần hai ngày [bắt đầu, kết thúc], ví dụ [2024-01-27, 2024-02-03]",
    "campaign.span_backwards": "ngày kết thúc đứng trước ngày bắt đầu",
    "campaign.want_percent": "cần một số phần trăm lớn hơn 0 và không quá 100",
    "campaign.phase_order": (
        "Tệp chiến dịch {file}: giai đoạn {later} không thể bắt đầu (hoặc kết thúc) "
        "trước giai đoạn {earlier}."
    ),
    "campaign.quiet": (
        'Tệp chiến dịch {file}: alerts.quiet cần hai giờ, ví dụ ["21:00", "07:00"].'
    ),
    "campaign.clock": 'Tệp chiến dịch {file}: {key} = {value!r} không phải giờ dạng "17:00".',
    "campaign.question_count": (
        "Tệp chiến dịch {file}: cần ít nhất 2 câu hỏi [[questions]], tệp có {found} câu."
    ),
    "campaign.question_number": (
        "Tệp chiến dịch {file}: câu hỏi thứ {place} trong [[questions]] cần số câu (number)"
        " là số nguyên từ 1 trở lên — khi một câu ghi number thì mọi câu phải ghi."
    ),
    "campaign.question_twice": "Tệp chiến dịch {file}: câu hỏi số {number} xuất hiện hai lần.",
    "campaign.question_missing": (
        "Tệp chiến dịch {file}: thiếu câu hỏi số {numbers} trong [[questions]]."
    ),
    "campaign.want_question": "cần số của một câu hỏi từ 1 đến {count}, hoặc 0 nếu không có",
    "campaign.want_questions": "cần danh sách số câu hỏi, mỗi số từ 1 đến {count}",
    "campaign.average_overlap": (
        "một câu được kể hai lần, hoặc câu chung (form.overall) nằm trong nhóm bình quân"
    ),
    "campaign.no_overall": "chiến dịch không có câu chung (form.overall = 0)",
    "campaign.two_names": "khóa này và {other} là một, chỉ ghi một trong hai",
    "campaign.questions_changed": (
        "Tệp chiến dịch {file} có {now} câu hỏi, chiến dịch đang chạy có {asked} câu và đã có"
        " số liệu báo cáo. Không thể thêm hoặc bớt câu hỏi giữa chừng: giữ đúng {asked} câu."
    ),
    "campaign.question_label": "Tệp chiến dịch {file}: câu hỏi số {number} thiếu nhãn (label).",
    # --- settings ---
    "settings.want_integer": "Cấu hình {name}={value!r}: cần một số nguyên, ví dụ 7.",
    "settings.want_one_of": "Cấu hình {name}={value!r}: cần một trong các giá trị {choices}.",
    # --- roster ---
    "import.row": "Dòng {line}: {problem}",
    "import.stopped": (
        "Dừng nhập giữa chừng: đã lưu {rows}/{total} dòng; {count} dòng sau đó bị từ chối vì có"
        " người vừa sửa cùng xóm trong lúc nhập. Sửa các dòng dưới đây rồi nhập lại cả tệp (các"
        " dòng đã lưu chỉ được ghi lại với cùng số liệu):"
    ),
    "import.cell": "Dòng {line}, cột «{column}»: {problem}",
    "import.file_missing": "Không tìm thấy tệp {path}.",
    "import.file_unreadable": "Không đọc được tệp {path} ({reason}).",
    "import.file_xls": (
        "Tệp {path} là bảng tính Excel kiểu cũ (.xls). "
        "Xin mở bằng Excel và lưu lại dưới dạng .xlsx hoặc CSV UTF-8."
    ),
    "import.file_type": (
        "Tệp {path} không phải CSV hay XLSX. Xin lưu bảng tính dưới dạng .xlsx hoặc CSV UTF-8."
    ),
    "import.file_encoding": (
        "Không nhận ra bảng mã của tệp {path}. Xin lưu lại dưới dạng CSV UTF-8."
    ),
    "import.file_empty": "Tệp {path} trống: không có dòng tiêu đề.",
    "import.no_rows": "Tệp {path} có dòng tiêu đề nhưng không có dòng số liệu nào.",
    "import.same_column": (
        "hai cột «{first}» và «{second}» cùng một nội dung; xin chỉ giữ lại một cột."
    ),
    "import.stray_cells": (
        "có ô nằm ngoài các cột có tiêu đề («{cells}»). Trong tệp CSV, dấu phẩy trong số "
        "(như 4,5) tách số thành hai ô; xin sửa lại số, hoặc đặt tiêu đề cho cột đó."
    ),
    "import.missing_column": "Thiếu cột «{column}» (hoặc «{english}»).",
    "import.count_empty": "chưa điền số; cần một số nguyên từ 0 trở lên.",
    "import.count_decimal": (
        "«{value}» không phải số nguyên; cần số nguyên, dấu chấm chỉ để phân cách hàng nghìn "
        "(ví dụ 1.234)."
    ),
    "import.count_negative": "«{value}» là số âm; cần số nguyên từ 0 trở lên.",
    "import.count_not_number": "«{value}» không phải là số; cần số nguyên từ 0 trở lên, ví dụ 45.",
    "import.count_too_big": "«{value}» quá lớn; cần số nguyên từ 0 đến 999.999.999.",
    "import.empty_commune": "chưa điền tên xã.",
    "import.empty_hamlet": "chưa điền tên xóm.",
    "import.name_too_long": "tên dài {length} ký tự; tối đa {limit} ký tự.",
    "import.date_empty": "chưa điền ngày; viết ngày dạng dd/mm/yyyy, ví dụ 27/01/2024.",
    "import.date_invalid": (
        "«{value}» không phải ngày hợp lệ; viết dd/mm/yyyy (ví dụ 27/01/2024) hoặc yyyy-mm-dd."
    ),
    "import.unknown_question": "cột «{column}»: phiếu chỉ có câu 1 đến câu {count}.",
    "import.duplicate_tally": (
        "xóm «{hamlet}», xã «{commune}», ngày {day} đã có ở dòng {first}; "
        "mỗi xóm mỗi ngày chỉ một dòng."
    ),
    "roster.households_zero": "số hộ phải lớn hơn 0.",
    "roster.surveyed_invalid": (
        "«{value}» không rõ; ghi 1 (có khảo sát) hoặc 0 (không khảo sát), có/không, "
        "x hoặc để trống."
    ),
    "roster.duplicate_hamlet": (
        "xóm «{hamlet}» của xã «{commune}» trùng với dòng {first} («{first_hamlet}»)."
    ),
    "roster.commune_spelling": (
        "xã «{commune}» viết khác dòng {first} («{first_commune}»); "
        "xin viết tên xã giống nhau ở mọi dòng."
    ),
    "roster.surveyed_conflict": (
        "Xã «{commune}» vừa ghi có khảo sát (dòng {surveyed}) vừa ghi không khảo sát "
        "(dòng {excluded}); mỗi xã chỉ ghi một cách."
    ),
    # --- assignment table ---
    "assign.empty_person": "chưa điền họ tên.",
    "assign.empty_position": "chưa điền chức vụ.",
    "assign.empty_role": (
        "chưa điền vai trò; ghi official (lãnh đạo phụ trách), commune (cán bộ xã) "
        "hoặc district (cán bộ huyện)."
    ),
    "assign.unknown_role": (
        "«{value}» không phải vai trò; ghi official (lãnh đạo phụ trách), commune (cán bộ xã) "
        "hoặc district (cán bộ huyện)."
    ),
    "assign.two_roles": (
        "{name} đã có ở dòng {first} với vai trò {first_role}, dòng này lại ghi {role}; "
        "mỗi người chỉ có một vai trò."
    ),
    "assign.unknown_commune": (
        "không có xã «{commune}» trong danh sách đơn vị; xin kiểm tra tên xã "
        "(hoặc nạp danh sách trước: tallybot roster import)."
    ),
    "assign.ambiguous_commune": "«{commune}» trùng với nhiều xã: {candidates}. Xin ghi rõ tên xã.",
    "assign.commune_not_surveyed": (
        "xã «{commune}» không tham gia khảo sát nên không phân công phụ trách được."
    ),
    "assign.official_needs_communes": (
        "{name} là lãnh đạo phụ trách (official) nhưng chưa ghi xã nào."
    ),
    "assign.commune_needs_commune": "{name} là cán bộ xã (commune) nhưng chưa ghi xã nào.",
    "assign.commune_needs_one": (
        "{name} là cán bộ xã (commune) nên chỉ theo dõi một xã, tệp lại ghi: {communes}."
    ),
    "assign.district_takes_none": (
        "{name} là cán bộ huyện (district), theo dõi toàn huyện: xin để trống cột xã."
    ),
    # --- tallies ---
    "tally.question_count": (
        "Cần đủ {expected} số hài lòng (câu 1 đến câu {expected}), mới có {found} số."
    ),
    "tally.negative_collected": "Số phiếu thu về không thể là số âm ({value}).",
    "tally.negative_invalid": "Số phiếu không hợp lệ không thể là số âm ({value}).",
    "tally.invalid_over_collected": (
        "Số phiếu không hợp lệ ({invalid}) nhiều hơn số phiếu thu về ({collected}). "
        "Số phiếu không hợp lệ phải từ 0 đến {collected}."
    ),
    "tally.satisfied_over_valid": (
        "Câu {question} ({label}): {value} phiếu hài lòng, nhiều hơn số phiếu hợp lệ ({valid}). "
        "Số phiếu hài lòng phải từ 0 đến {valid}."
    ),
    "tally.outside_window": (
        "Ngày {day} không nằm trong thời gian thu phiếu ({start} – {end}). "
        "Chỉ báo cáo được cho các ngày trong thời gian này."
    ),
    "tally.note_too_long": (
        "Kiến nghị dài {length} ký tự, quá {limit} ký tự cho phép. Xin rút gọn kiến nghị."
    ),
    "tally.late_outside_campaign": (
        "Ngày {day} nằm ngoài chiến dịch: báo cáo muộn chỉ nhận các ngày từ {start} "
        "(bắt đầu thu phiếu) đến {last}."
    ),
    "roster.below_collected": (
        "{hamlet} đã thu {collected} phiếu, không thể ghi số hộ {households} nhỏ hơn. "
        "Số hộ cần từ {collected} trở lên."
    ),
    "tally.locked": (
        "Số liệu của {commune_level} {commune} đã được xác nhận nên không sửa được nữa. "
        "Muốn sửa, xin liên hệ cán bộ {district_level} để mở khóa."
    ),
    "tally.over_households": (
        "{hamlet} có {households} hộ. Các ngày khác đã thu {earlier} phiếu, thêm {collected} "
        "phiếu ngày {day} thành {total} — nhiều hơn số hộ. Xin kiểm tra lại số phiếu thu về."
    ),
    # --- cli ---
    "db.outdated": (
        "Cơ sở dữ liệu chưa được tạo hoặc cần nâng cấp (phiên bản {revision}). "
        "Hãy chạy: tallybot init"
    ),
    "db.no_campaign": "Chưa nạp chiến dịch nào. Hãy chạy: tallybot init",
    "unit.unknown_commune": "Không tìm thấy xã «{query}».",
    "unit.unknown_hamlet": "Không tìm thấy xóm «{query}».",
    "unit.ambiguous": "«{query}» trùng với nhiều đơn vị: {candidates}. Xin ghi rõ hơn.",
    "invite.hamlet_needs_one_hamlet": ('Mã mời vai trò hamlet cần đúng một xóm: --unit "Xã/Xóm".'),
    "invite.commune_needs_one_commune": 'Mã mời vai trò commune cần đúng một xã: --unit "Xã".',
    "invite.official_needs_communes": (
        'Mã mời vai trò official cần một hoặc nhiều xã: --unit "Xã A" --unit "Xã B".'
    ),
    "invite.district_takes_no_unit": "Vai trò district xem toàn huyện, không cần --unit.",
    "invite.line_cells": (
        "{cells} ô có chữ; mỗi dòng ghi một đơn vị như --unit («Xã/Xóm» hoặc «Xã»), "
        "hoặc hai ô: xã và xóm."
    ),
    "invite.line_repeated": "«{unit}» đã có ở dòng {first}; mỗi đơn vị chỉ ghi một lần.",
    "invite.line_needs_hamlet": (
        "«{unit}» là một xã; mã mời vai trò {role} cần một xóm («Xã/Xóm»)."
    ),
    "invite.line_needs_commune": "«{unit}» là một xóm; mã mời vai trò {role} cần một xã.",
    "invite.file_no_units": "Tệp {path} không ghi đơn vị nào.",
    "invite.unknown": (
        "Mã mời không đúng. Xin kiểm tra lại mã (8 ký tự) cán bộ {district_level} đã gửi."
    ),
    "invite.used": "Mã mời này đã được dùng rồi. Mỗi mã chỉ dùng được một lần.",
    "invite.just_used": (
        "Mã mời này vừa có người khác dùng trước bạn. Mỗi mã chỉ dùng được một lần. "
        "Xin liên hệ cán bộ {district_level} để lấy mã mới."
    ),
    "invite.expired": (
        "Mã mời này đã hết hạn. Xin liên hệ cán bộ {district_level} để lấy mã mới."
    ),
    "invite.cancel_unknown": "Không có mã mời «{code}».",
    "invite.cancel_used": (
        "Mã mời {code} đã được dùng (người dùng {user_id}), không hủy được. "
        "Muốn chặn người này, dùng: tallybot revoke {user_id}"
    ),
    "invite.cancel_expired": "Mã mời {code} đã hủy hoặc hết hạn rồi.",
    "invite.already_registered": "Tài khoản này đã đăng ký rồi.",
    "invite.withdrawn": (
        "Mã mời này không còn dùng được. Xin liên hệ cán bộ {district_level} để lấy mã mới."
    ),
    "invite.user_revoked": (
        "Người dùng {user_id} ({name}) đã bị khóa nên không tạo mã mời cho họ được."
    ),
    "user.unknown": "Không có người dùng số {user_id}.",
    "cli.init_done": "Đã sẵn sàng: cơ sở dữ liệu {url}, chiến dịch «{campaign}».",
    "cli.roster_done": (
        "Đã nạp danh sách: {communes} {commune_level}; thêm {added} {hamlet_level}, cập nhật "
        "{updated} {hamlet_level}, {unchanged} {hamlet_level} không đổi."
    ),
    "cli.assignments_done": (
        "Đã nạp bảng phân công: thêm {added} người, cập nhật {updated} người, "
        "{unchanged} người không đổi."
    ),
    "cli.assignments_new": (
        "Người mới, chưa có tài khoản chat (tạo mã mời cho từng người: tallybot invite --user SỐ):"
    ),
    "cli.assignments_absent": (
        "{count} người của bảng trước không có trong tệp này; vẫn giữ nguyên. Nếu họ không còn "
        "phụ trách, khóa bằng: tallybot revoke SỐ"
    ),
    "cli.invite_count": "--count phải từ 1 đến 500 (đang là {count}).",
    "cli.invite_needs_role": (
        "Cần --role (mã mời cho người mới) hoặc --user (thêm tài khoản cho người đã có)."
    ),
    "cli.invite_cancel_alone": "--cancel không đi cùng --role, --unit, --count hay --user.",
    "cli.invite_cancelled": "Đã hủy mã mời {code}.",
    "cli.invite_many_alone": (
        "--file và --all-hamlets không đi cùng --unit, --count, --user hay --cancel, "
        "và không đi cùng nhau."
    ),
    "cli.invite_all_hamlets_role": (
        "--all-hamlets làm mã cho trưởng ban các xóm: --role chỉ có thể là hamlet."
    ),
    "cli.invite_out_many_only": "--out chỉ đi cùng --file hoặc --all-hamlets.",
    "cli.invite_no_hamlets": (
        "Chưa có {hamlet_level} nào thuộc {commune_level} tham gia khảo sát: nạp danh sách trước "
        "(tallybot roster import)."
    ),
    "cli.invite_out_exists": "Tệp {path} đã có; chọn tên khác để không ghi đè. Chưa tạo mã nào.",
    "cli.invite_out_failed": "Không ghi được tệp {path}: {error}. Chưa tạo mã nào.",
    "cli.invites_written": "Đã tạo {count} mã mời và ghi vào {path}.",
    "cli.slips_alone": (
        "invite slips chỉ nhận --out, --role, --commune và --format, viết sau chữ slips."
    ),
    "cli.invite_user_alone": (
        "--user không đi cùng --role, --unit hay --count: mã mời này mang vai trò và đơn vị "
        "sẵn có của người dùng."
    ),
    "cli.user_active": "đang hoạt động",
    "cli.user_revoked": "đã khóa",
    "cli.user_last_seen": "lần cuối {moment} qua {channel}",
    "cli.no_users": "Chưa có người dùng nào. Tạo mã mời bằng: tallybot invite --role …",
    "cli.revoked": "Đã khóa người dùng {user_id} ({name}). Dữ liệu của họ vẫn được giữ.",
    "cli.backup_sqlite_only": (
        "Lệnh backup chỉ dùng cho cơ sở dữ liệu SQLite; với PostgreSQL hãy dùng pg_dump."
    ),
    "cli.backup_exists": "Tệp {path} đã có; chọn tên khác để không ghi đè.",
    "cli.backup_failed": "Không sao lưu được vào {path}: {error}.",
    "cli.backup_done": "Đã sao lưu vào {path} ({size} byte).",
    "cli.tally_stored": "Đã lưu báo cáo của {hamlet} ngày {day}.",
    "cli.tally_replaced": "Đã thay số liệu ngày {day} của {hamlet}; số cũ vẫn được lưu lại.",
    "cli.import_progress": "Đang nhập",
    "cli.export_progress": "Đang xuất",
    "cli.import_done": "Đã nhập {rows} dòng báo cáo.",
    "cli.commune_pdf_only": "--commune chỉ dùng với --format pdf (phiếu niêm yết của từng xã).",
    "cli.commune_not_surveyed": "{commune} không tham gia khảo sát nên không có phiếu niêm yết.",
    "cli.export_done": "Đã ghi {path}.",
    "cli.bad_option": "{option}: {problem}",
    "cli.bad_date": "Ngày «{value}» không hợp lệ; viết dạng dd/mm/yyyy, ví dụ 27/01/2024.",
    "cli.file_refused": "Tệp bị từ chối, không có gì được ghi ({count} lỗi):",
    "cli.unexpected": "Lỗi không mong đợi: {error}. Chạy lại với --debug để xem chi tiết.",
    # --- charts and exports ---
    "chart.unit": "{level} {name}",
    "chart.as_of": "Số liệu đến {time} ngày {day}",
    "chart.page": " · trang {page}/{pages}",
    "chart.question_tick": "Câu {question}",
    "chart.average_tick": "BQ {group}",
    "chart.participation_title": "Tỷ lệ hộ tham gia theo {level} — {unit}",
    "chart.participation_axis": "Số hộ đã cho ý kiến / tổng số hộ",
    "chart.questions_title": "Tỷ lệ hài lòng theo câu hỏi — {unit}",
    "chart.questions_numbers": "Câu hỏi số",
    "chart.questions_axis": "Phiếu hài lòng / phiếu hợp lệ",
    "chart.pace_title": "Tiến độ thu phiếu — {unit}",
    "chart.pace_axis": "Số hộ đã cho ý kiến (cộng dồn)",
    "chart.pace_actual": "Đã thu",
    "chart.pace_target": "Tiến độ để đạt {percent}",
    "chart.pace_needed": "Cần thu từ nay",
    "chart.heatmap_title": "Tỷ lệ hài lòng (%) theo {level} và câu hỏi — {unit}",
    "chart.legend_met": "Đạt ngưỡng",
    "chart.legend_below": "Chưa đạt ngưỡng",
    "chart.legend_worst": "Thấp nhất",
    "chart.legend_none": "Chưa có phiếu",
    "xlsx.as_of": (
        "{level} {name} — số liệu đến {time} ngày {day} (thời gian thu phiếu {start} – {end})"
    ),
    "xlsx.number": "STT",
    "xlsx.households": "Số hộ",
    "xlsx.collected": "Số phiếu thu về",
    "xlsx.participation": "Tỷ lệ hộ tham gia",
    "xlsx.valid": "Phiếu hợp lệ",
    "xlsx.invalid": "Phiếu không hợp lệ",
    "xlsx.question": "Câu {question}. {label}",
    "xlsx.satisfied": "Số phiếu hài lòng",
    "xlsx.rate": "Tỷ lệ",
    "xlsx.average": "Bình quân câu {group}",
    "xlsx.verdicts": "Kết quả so với chỉ tiêu",
    "xlsx.verdict_participation": "Tham gia ≥ {percent}",
    "xlsx.verdict_question_min": "Mỗi câu {group} ≥ {percent}",
    "xlsx.verdict_average": "Bình quân câu {group} ≥ {percent}",
    "xlsx.verdict_overall": "Câu {overall} ≥ {percent}",
    "xlsx.confirmed": "Đã xác nhận",
    "xlsx.yes": "Có",
    "xlsx.no": "Chưa",
    "xlsx.total": "Cộng toàn {level} {name}",
    "posting.front": "ỦY BAN MTTQ VIỆT NAM",
    "posting.state": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "posting.motto": "Độc lập – Tự do – Hạnh phúc",
    "posting.title": "BẢNG CÔNG KHAI KẾT QUẢ",
    "posting.unit": "{level} {name}",
    "posting.period": "Thời gian thu phiếu: từ ngày {start} đến ngày {end}",
    "posting.as_of": "Số liệu tổng hợp đến {time} ngày {day}",
    "posting.households": "Tổng số hộ: {count} hộ",
    "posting.collected": "Số phiếu thu về: {count} phiếu (bằng {percent} tổng số hộ)",
    "posting.valid": "Số phiếu hợp lệ: {valid} phiếu; số phiếu không hợp lệ: {invalid} phiếu",
    "posting.unconfirmed": "(Số liệu tạm thời: {level} chưa xác nhận số liệu)",
    "posting.column_number": "STT",
    "posting.column_question": "Nội dung lấy ý kiến",
    "posting.column_satisfied": "Số phiếu hài lòng",
    "posting.column_rate": "Tỷ lệ hài lòng",
    "posting.average": "Bình quân câu {group}",
    "posting.rate_note": "Tỷ lệ hài lòng = số phiếu hài lòng / số phiếu hợp lệ.",
    "posting.place_date": "{place}, ngày …… tháng …… năm {year}",
    "posting.signer": "TM. Ban Thường trực Ủy ban MTTQ {level}",
    "posting.signer_title": "CHỦ TỊCH",
    "posting.sign_hint": "(Ký, ghi rõ họ tên, đóng dấu)",
    "run.unreachable": (
        "Chưa kết nối được tới {platform} ({host}): {reason}. Hãy kiểm tra mạng, DNS, tường "
        "lửa hoặc proxy của máy chủ, và {setting}. Bot sẽ thử lại sau {wait} giây."
    ),
    "run.telegram_token": (
        "Telegram từ chối TELEGRAM_BOT_TOKEN: mã bot sai hoặc đã bị thu hồi. Lấy lại mã từ "
        "@BotFather, sửa trong môi trường hoặc tệp .env rồi chạy lại."
    ),
    "run.zalo_token": (
        "Zalo từ chối ZALO_BOT_TOKEN: mã bot sai hoặc đã bị thu hồi. Lấy lại mã trong Zalo "
        "Bot Creator, sửa trong môi trường hoặc tệp .env rồi chạy lại."
    ),
    "db.unreachable": (
        "Không kết nối được cơ sở dữ liệu {where}: {reason}. Hãy kiểm tra DATABASE_URL (máy "
        "chủ, cổng, tên cơ sở dữ liệu, tài khoản), rằng PostgreSQL đang chạy và nhận kết nối "
        "từ máy này (tường lửa, pg_hba.conf)."
    ),
    "run.no_token": (
        "Chưa có TELEGRAM_BOT_TOKEN hay ZALO_BOT_TOKEN: đặt ít nhất một mã bot trong môi "
        "trường hoặc tệp .env (xem .env.example)."
    ),
    "run.zalo_public_url": (
        "Kênh Zalo cần PUBLIC_URL: địa chỉ HTTPS công khai để Zalo tải ảnh biểu đồ "
        "(xem README, mục Zalo)."
    ),
    "run.no_public_url": (
        "Chế độ webhook cần PUBLIC_URL: địa chỉ HTTPS công khai mà Telegram và Zalo gọi tới."
    ),
    "run.public_url": (
        "PUBLIC_URL={url!r} không dùng được: cần một địa chỉ https://… "
        "(http:// chỉ được dùng với 127.0.0.1 hoặc localhost)."
    ),
    "run.webhook_secret": (
        "Chế độ webhook cần WEBHOOK_SECRET dài 8–256 ký tự, chỉ gồm chữ không dấu, số, _ và -."
    ),
    "run.positive": "{name} phải là một số nguyên lớn hơn 0.",
    # --- alerts ---
    "alert.wrong_codes": (
        "🔐 Cảnh báo: tài khoản {account} («{name}») đã nhập sai mã mời {count} lần trong "
        "{minutes} phút, phải chờ đến {until}. Nếu đó không phải người được mời, có thể có "
        "người đang dò mã."
    ),
    "alert.reminder": (
        "🔔 Nhắc việc: hôm nay ({day}) {hamlet_level} chưa gửi báo cáo. Gõ /baocao để gửi."
    ),
    "alert.missing": (
        "📭 {commune}: {count}/{hamlets} {hamlet_level} chưa báo cáo ngày {day}: {names}."
    ),
    "alert.digest": (
        "📊 Tổng hợp ngày {day}: {collected}/{households} hộ đã góp ý ({percent}){figures}.\n"
        "Các {commune_level} cần chú ý: {troubled}.\n"
        "Số {hamlet_level} chưa báo cáo hôm nay: {missing}."
    ),
    "alert.digest_average": "bình quân câu {group} {percent}",
    "alert.digest_overall": "câu {overall} {percent}",
    "alert.verdict": (
        "🚨 {unit} — {measure}: {old} → {new}. Hiện {figure} (ngưỡng {threshold}){gap}."
        "{responsible}"
    ),
    "alert.measure_participation": "tỷ lệ hộ tham gia",
    "alert.measure_question_min": "câu thấp nhất (câu {group})",
    "alert.measure_average": "bình quân câu {group}",
    "alert.measure_overall": "câu {overall}",
    "alert.collection_ending": (
        "⏰ Còn 2 ngày nữa hết thu phiếu ({end}). {commune} mới đạt {percent}; theo tiến độ "
        "hiện nay chỉ đạt khoảng {projected} khi kết thúc{gap}."
    ),
    "alert.collection_ending_district": (
        "⏰ Còn 2 ngày nữa hết thu phiếu ({end}). {count} {commune_level} theo tiến độ hiện nay "
        "sẽ dưới {percent}: {names}."
    ),
    "alert.confirm_due": (
        "⏰ Đã sang giai đoạn tổng hợp. Số liệu của {commune_level} {commune} chưa được xác nhận "
        "(hạn {end}). Cán bộ {commune_level} xác nhận bằng lệnh /xacnhan."
    ),
    "alert.confirm_due_district": (
        "⏰ Đã sang giai đoạn tổng hợp. {count} {commune_level} chưa xác nhận số liệu "
        "(hạn {end}): {names}."
    ),
    "alert.question_figure": "câu {question} {percent}",
    "alert.report_due": (
        "⏰ Ngày mai ({due}) là hạn báo cáo kết quả lên Ủy ban MTTQ tỉnh. "
        "Gõ /xuatfile để lấy bảng tổng hợp."
    ),
    # --- chat ---
    "chat.recount": "Số phiếu hợp lệ nay là {valid}: xin nhập lại số phiếu hài lòng của từng câu.",
    "chat.unlock_usage": "Gõ /mokhoa kèm tên {commune_level}, ví dụ /mokhoa Định Biên.",
    "chat.unlocked": (
        "🔓 Đã mở khóa {commune_level} {commune}: các {hamlet_level} sửa được số liệu; "
        "{commune_level} cần xác nhận lại."
    ),
    "chat.not_locked": (
        "Số liệu của {commune_level} {commune} chưa được xác nhận nên không cần mở khóa."
    ),
    "help.assignments": "/assignments (/phancong) — ai phụ trách {commune_level} nào",
    "assign.heading": "👥 Phân công phụ trách — {time} ngày {day}",
    "assign.person": "👤 {name} — {position}",
    "assign.commune": "   {commune}: {verdict}, hộ tham gia {percent}",
    "assign.whole_district": "   Theo dõi toàn {district_level}",
    "assign.not_opened": "   ✉️ Chưa mở bot",
    "assign.not_opened_summary": "Chưa mở bot: {count}/{total} người — {names}.",
    "assign.all_opened": "Mọi người đã mở bot ✅",
    "assign.none": (
        "Chưa có bảng phân công. Cán bộ tin học nạp bảng bằng lệnh: "
        "tallybot assignments import TỆP"
    ),
    "alert.responsible": "\nPhụ trách: {names}.",
    "alert.digest_commune": "{commune} {mark} (phụ trách: {names})",
    "help.unlock": "/unlock (/mokhoa) tên {commune_level} — mở khóa số liệu đã xác nhận",
    "chat.chart_participation": (
        "Tỷ lệ hộ tham gia các {commune_level} (đến {time} ngày {day}); "
        "đường gạch đứt là {percent}."
    ),
    "chat.chart_questions": (
        "Tỷ lệ hài lòng từng câu của toàn {district_level} (đến {time} ngày {day})."
    ),
    "chat.chart_pace": (
        "Tiến độ thu phiếu so với mức cần để đạt {percent} (đến {time} ngày {day})."
    ),
    "chat.chart_heatmap": (
        "Tỷ lệ hài lòng theo {commune_level} và câu hỏi (đến {time} ngày {day})."
    ),
    "chat.chart_commune": (
        "Tỷ lệ hài lòng từng câu của {commune_level} {commune} (đến {time} ngày {day})."
    ),
    "chat.chart_more": (
        "Còn {count} {commune_level} nữa: gõ /bieudo kèm tên {commune_level} để xem, "
        "ví dụ /bieudo Định Biên."
    ),
    "chat.export_caption": "Bảng tổng hợp kết quả lấy ý kiến (đến {time} ngày {day}).",
    "chat.report_caption": (
        "Dự thảo báo cáo kết quả lấy ý kiến gửi tỉnh (số liệu đến {time} ngày {day}): "
        "kiểm tra, chỉnh sửa rồi trình ký."
    ),
    "chat.export_unknown": (
        "Gõ /xuatfile để lấy bảng tổng hợp, /xuatfile baocao để lấy dự thảo báo cáo."
    ),
    "help.chart": "/chart (/bieudo) [tên {commune_level}] — biểu đồ",
    "help.export": (
        "/export (/xuatfile) — tải bảng tổng hợp Excel; /xuatfile baocao — dự thảo báo cáo"
    ),
    "chat.text_only": (
        "Xin gửi chữ hoặc số (bot chưa đọc được ảnh, nhãn dán hay tệp). Gõ /help để xem các lệnh."
    ),
    "chat.error": (
        "Xin lỗi, hệ thống vừa gặp trục trặc nên chưa làm được việc này. Chưa có gì bị thay "
        "đổi. Xin thử lại sau ít phút."
    ),
    "chat.unregistered": (
        "Xin chào! Bạn chưa đăng ký sử dụng. Xin gửi mã mời (8 ký tự) mà cán bộ "
        "{district_level} đã đưa, ví dụ: /start AB3KQ7MX"
    ),
    "chat.private_only": (
        "Xin lỗi, bot chỉ làm việc trong tin nhắn riêng. Xin nhắn riêng cho bot để đăng ký và "
        "báo cáo; đừng gửi mã mời hay số liệu vào nhóm."
    ),
    "chat.slow_down": (
        "Bạn đã gửi nhiều tin nhắn quá. Bot sẽ không trả lời tài khoản này đến {until}. Nếu "
        "bạn có mã mời, xin gửi lại sau giờ đó."
    ),
    "chat.wrong_codes_wait": (
        "Bạn đã nhập sai mã mời {count} lần. Xin chờ đến {until} rồi thử lại, hoặc liên hệ "
        "cán bộ {district_level} để kiểm tra mã."
    ),
    "chat.revoked": (
        "Tài khoản của bạn đã bị tạm khóa. Xin liên hệ cán bộ {district_level} nếu cần dùng lại."
    ),
    "chat.ask_code": (
        "Xin chào! Để bắt đầu, xin gửi mã mời (8 ký tự) mà cán bộ {district_level} đã đưa."
    ),
    "chat.welcome_back": "Chào {name}!",
    "chat.registered_hamlet": (
        "✅ Đăng ký xong! {name} là trưởng ban công tác Mặt trận của {units}."
    ),
    "chat.registered_commune": "✅ Đăng ký xong! {name} theo dõi {commune_level} {units}.",
    "chat.registered_official": (
        "✅ Đăng ký xong! {name} phụ trách các {commune_level}: {units}."
    ),
    "chat.registered_district": (
        "✅ Đăng ký xong! {name} theo dõi toàn {district_level} {units}."
    ),
    "chat.help_heading": "Các lệnh bạn dùng được:",
    "help.help": "/help (/trogiup) — xem các lệnh",
    "help.report": "/report (/baocao) — gửi báo cáo hằng ngày",
    "help.mine": "/mine (/xomtoi) — xem số liệu của {hamlet_level} mình",
    "help.status": "/status (/tinhhinh) [tên {commune_level}] — tình hình các {commune_level}",
    "help.missing": (
        "/missing (/chuabaocao) [tên {commune_level}] — {hamlet_level} chưa báo cáo hôm nay"
    ),
    "help.confirm": (
        "/confirm (/xacnhan) — xác nhận số liệu của {commune_level} (giai đoạn tổng hợp)"
    ),
    "help.lang": "/lang vi | en — đổi ngôn ngữ",
    "help.cancel": "/cancel (/huy) — dừng việc đang làm",
    "chat.unknown_command": "Không có lệnh /{command}. Gõ /help để xem các lệnh.",
    "chat.not_for_role": (
        "Lệnh /{command} không dành cho vai trò của bạn. Gõ /help để xem các lệnh bạn dùng được."
    ),
    "chat.no_flow": "Bạn muốn làm gì? Gõ /report để gửi báo cáo, hoặc /help để xem các lệnh.",
    "chat.stale_button": (
        "Nút này thuộc một tin nhắn cũ nên không dùng được nữa. Gõ /report để làm lại."
    ),
    "chat.draft_expired": (
        "Bản báo cáo đang làm dở của ngày {day} đã hết hạn lúc nửa đêm và đã bị bỏ. Gõ /report "
        "để báo cáo hôm nay."
    ),
    "chat.draft_resumed": (
        "Bạn đang làm dở một báo cáo. Xin tiếp tục từ câu hỏi dưới đây (gõ /huy để bỏ)."
    ),
    "chat.not_collection_day": (
        "Hôm nay ({day}) không phải ngày thu phiếu. Thời gian thu phiếu: {start} – {end}."
    ),
    "chat.commune_locked": (
        "Số liệu của {commune_level} mình đã được xác nhận nên không gửi hay sửa báo cáo được "
        "nữa. Muốn sửa, xin liên hệ cán bộ {district_level}."
    ),
    "chat.ask_hamlet": "Báo cáo giúp {hamlet_level} nào? Chọn một {hamlet_level}:",
    "chat.ask_replace": (
        "{hamlet} đã có báo cáo ngày {day}. Gửi lại sẽ THAY số liệu cũ (số cũ vẫn được lưu "
        "lại). Bạn muốn gửi lại không?"
    ),
    "chat.replace_yes": "Có, gửi lại",
    "chat.no": "Không",
    "chat.kept_old": "Được, giữ nguyên số liệu đã gửi.",
    "chat.tally_heading": "📝 Báo cáo ngày {day} — {hamlet}",
    "chat.ask_collected": (
        "Bước 1: Hôm nay {hamlet_level} thu về bao nhiêu phiếu? (từ 0 đến {limit})"
    ),
    "chat.ask_invalid": (
        "Bước 2: Trong {collected} phiếu, có bao nhiêu phiếu không hợp lệ? (từ 0 đến "
        "{collected}; không có thì chọn 0)"
    ),
    "chat.ask_satisfied": (
        "Câu {question}/{count} — {label}: bao nhiêu phiếu hài lòng? (từ 0 đến {valid})"
    ),
    "chat.all": "Tất cả ({count})",
    "chat.ask_note": "Kiến nghị, ý kiến của người dân (nếu có): gõ vào đây, hoặc chọn Bỏ qua.",
    "chat.skip": "Bỏ qua",
    "chat.review_heading": "📋 Kiểm tra lại báo cáo ngày {day} — {hamlet}",
    "chat.review_forms": "Phiếu thu về: {collected} · không hợp lệ: {invalid} · hợp lệ: {valid}",
    "chat.review_question": "Câu {question} ({label}): {satisfied} hài lòng",
    "chat.review_note": "Kiến nghị: {note}",
    "chat.review_actions": "Đúng rồi thì chọn Gửi. Cần sửa thì chọn Sửa.",
    "chat.send": "Gửi",
    "chat.edit": "Sửa",
    "chat.cancel": "Hủy",
    "chat.ask_edit": "Sửa mục nào?",
    "chat.field_collected": "Phiếu thu về",
    "chat.field_invalid": "Không hợp lệ",
    "chat.field_question": "Câu {question}",
    "chat.field_note": "Kiến nghị",
    "chat.ask_edit_collected": "Số phiếu thu về đúng là bao nhiêu? (từ 0 đến {limit})",
    "chat.ask_edit_invalid": "Số phiếu không hợp lệ đúng là bao nhiêu? (từ 0 đến {limit})",
    "chat.pick_from_list": "Xin chọn một trong các mục dưới đây (gõ số thứ tự hoặc tên của mục).",
    "chat.edited": (
        "Sửa tin nhắn đã gửi không làm đổi câu trả lời. Xin gõ lại câu trả lời thành một tin "
        "nhắn mới."
    ),
    "chat.over_limit": "Số {value} lớn hơn mức cho phép. Cần một số từ 0 đến {limit}.",
    "chat.stuck_help": (
        "Nếu khó nhập từng bước, bạn có thể gửi cả báo cáo trong một dòng:\n"
        "/baocao PHIẾU_THU {columns}\n"
        "ví dụ: /baocao {example}\n"
        "Gõ /huy để dừng."
    ),
    "chat.answer_column": "C{number}",
    "chat.cancelled": "Đã hủy. Chưa có gì được gửi.",
    "chat.nothing_to_cancel": "Không có việc gì đang làm dở.",
    "chat.tally_saved": "✅ Đã lưu báo cáo ngày {day} của {hamlet}.",
    "chat.tally_replaced": "✅ Đã thay số liệu ngày {day} của {hamlet} (số cũ vẫn được lưu lại).",
    "chat.running_total": "Cộng dồn: {collected}/{households} hộ đã góp ý ({percent}).",
    "chat.lowest_so_far": "Câu thấp nhất: câu {question} ({label}) {percent}.",
    "chat.oneline_hamlet_only": (
        "Báo cáo một dòng chỉ dành cho trưởng {hamlet_level}. Gõ /report để chọn {hamlet_level} "
        "rồi nhập từng bước."
    ),
    "chat.oneline_format": (
        "Báo cáo một dòng cần {short} hoặc {long} số (vừa có {found} số):\n"
        "/baocao PHIẾU_THU C1 … C{count} — ví dụ: /baocao {example}\n"
        "/baocao PHIẾU_THU KHÔNG_HỢP_LỆ C1 … C{count} — ví dụ:\n"
        "/baocao {example_invalid}\n"
        "Có thể ghi ngày trước các số: /baocao 28/01 45 44 …"
    ),
    "chat.oneline_number": (
        "Số thứ {position} («{value}») không phải số nguyên từ 0 trở lên. Xin gõ lại cả dòng."
    ),
    "chat.oneline_day": "Ngày {day} không nằm trong thời gian thu phiếu ({start} – {end}).",
    "chat.mine_heading": "🏠 {hamlet} ({commune_level} {commune})",
    "chat.mine_no_collection": "Hôm nay ({day}) không phải ngày thu phiếu.",
    "chat.mine_missing": "Hôm nay ({day}): chưa báo cáo. Gõ /report để gửi.",
    "chat.mine_reported": "Hôm nay ({day}): đã báo cáo {collected} phiếu lúc {time}.",
    "chat.unknown_commune": "Không tìm thấy {commune_level} «{query}».",
    "chat.out_of_scope": "{commune} không thuộc các {commune_level} bạn phụ trách.",
    "chat.missing_no_collection": "Hôm nay ({day}) không phải ngày thu phiếu.",
    "chat.missing_heading": "📭 Các {hamlet_level} chưa báo cáo ngày {day}:",
    "chat.missing_commune": "{commune} ({count}/{hamlets} {hamlet_level}): {names}",
    "chat.missing_none": "{commune}: tất cả {hamlets} {hamlet_level} đã báo cáo ✅",
    "chat.confirm_not_now": "Chỉ xác nhận được trong giai đoạn tổng hợp ({start} – {end}).",
    "chat.confirm_already": "Số liệu của {commune_level} {commune} đã được xác nhận rồi.",
    "chat.confirm_ask": (
        "Xác nhận số liệu trên của {commune_level} {commune}? Sau khi xác nhận, "
        "các {hamlet_level} không sửa được nữa."
    ),
    "chat.confirm_yes": "Xác nhận",
    "chat.confirm_done": (
        "✅ Đã xác nhận số liệu của {commune_level} {commune}. Số liệu đã được khóa."
    ),
    "chat.lang_usage": "Gõ /lang vi để dùng tiếng Việt, /lang en để dùng tiếng Anh.",
    "chat.lang_set": "Đã chuyển sang tiếng Việt.",
    "demo.starting": (
        "Đang chơi chiến dịch qua chat: {days} ngày thu phiếu ({start}–{end}), mỗi ngày một "
        "dòng; kết quả sẽ ghi vào {out}/"
    ),
    "demo.day": (
        "Ngày {number}/{days} ({day}): {messages} tin nhắn, {tallies} báo cáo, "
        "{alerts} tin cảnh báo tính đến nay."
    ),
    "demo.confirmed": (
        "Tổng hợp ({day}): {confirmed} {level} đã xác nhận số liệu; {messages} tin nhắn, "
        "{alerts} tin cảnh báo tính đến nay."
    ),
    "demo.writing": "Đang ghi bảng tính, tệp PDF và biểu đồ vào {out}/ …",
    "demo.assignments": (
        "Hội nghị triển khai ({day}): nạp bảng phân công ({people} người; họ tên chỉ để minh "
        "họa) từ {path}"
    ),
    "demo.slips": (
        "In {count} phiếu mời đăng ký có mã QR ({pages} trang A4) vào {path}; mọi người "
        "đăng ký bằng mã trên phiếu của mình."
    ),
    "demo.report": "Đã ghi dự thảo báo cáo của huyện gửi tỉnh (DOCX) vào {path}",
    "demo.played": (
        "Đã chơi chiến dịch qua chat: {messages} tin nhắn ({telegram} qua Telegram, {zalo} qua "
        "Zalo), bot khởi động lại {restarts} lần giữa chừng."
    ),
    "demo.imported": (
        "Huyện nhập thêm {rows} dòng báo cáo giấy từ bảng tính của các xã chưa dùng bot."
    ),
    "demo.alerts": "Bot tự gửi {alerts} tin cảnh báo, nhắc việc và tổng hợp (xem transcript.txt).",
    "demo.outbox": (
        "Hộp thư đi: {sent} tin đã gửi, {waiting} tin còn chờ, {failed} tin không gửi được."
    ),
    "demo.written": "Đã ghi {files} vào {out}/",
    "table.unit": "Đơn vị",
    "table.households": "Số hộ",
    "table.collected": "Đã thu",
    "table.participation": "Tham gia",
    "table.lowest": "Câu thấp nhất",
    "table.average": "BQ {group}",
    "table.overall": "Câu {overall}",
    "table.verdict": "Kết quả",
    "table.question": "câu {question}",
    "table.gaps": "Cần làm gì để đạt:",
    "status.heading": "📊 Tình hình lúc {time} ngày {day} (ngày thu phiếu {elapsed}/{total})",
    "status.unit_title": "{mark} {name}",
    "status.participation": "Hộ tham gia: {collected}/{households} hộ ({percent}) {mark}",
    "status.lowest": "Câu thấp nhất: câu {question} ({label}) {percent} {mark}",
    "status.average": "Bình quân câu {group}: {percent} {mark}",
    "status.overall": "Câu {overall}: {percent} {mark}",
    "status.no_forms": "Chưa có phiếu hợp lệ nên chưa tính tỷ lệ hài lòng.",
    "status.reported": "Số {hamlet_level} đã báo cáo hôm nay: {reported}/{hamlets}",
    "status.confirmed": "đã xác nhận",
    "status.unconfirmed": "chưa xác nhận",
    "status.questions": "\nTừng câu hỏi (số phiếu hài lòng, tỷ lệ):",
    "status.question": "Câu {question} ({label}): {satisfied} · {percent} {mark}",
    "status.hamlets": "\nCác {hamlet_level} (số phiếu thu/số hộ):",
    "status.hamlet_reported": "✔️ {name}: {collected}/{households} ({percent})",
    "status.hamlet_missing": (
        "✖️ {name}: {collected}/{households} ({percent}) — hôm nay chưa báo cáo"
    ),
    "status.need_households": "cần thêm {count} hộ để đạt {percent}",
    "status.need_forms": "{what} cần thêm {count} phiếu hài lòng để đạt {percent}",
    "status.gap_question": "câu {question}",
    "status.gap_average": "bình quân câu {group}",
    "status.impossible": "{what} không thể đạt {percent} (không còn đủ hộ chưa góp ý)",
    "status.gap_participation": "tỷ lệ tham gia",
    # --- invite slips (printed) ---
    "slips.pdf_title": "Phiếu mời đăng ký",
    "slips.for_hamlet": "Mã đăng ký của Trưởng ban công tác Mặt trận {hamlet_level}",
    "slips.for_commune": "Mã đăng ký của lãnh đạo xã (UBND hoặc UBMTTQ xã)",
    "slips.for_official": "Mã đăng ký của cán bộ {district_level} phụ trách {commune_level}",
    "slips.for_district": "Mã đăng ký của cán bộ {district_level}",
    "slips.person_commune": "Phụ trách {level} {names}",
    "slips.person_communes": "Phụ trách các {level} {names}",
    "slips.person_district": "Phụ trách toàn {level} {name}",
    "slips.role_hamlet": "Trưởng ban công tác Mặt trận {hamlet_level}",
    "slips.role_commune": "Lãnh đạo {commune_level}",
    "slips.role_official": "Cán bộ {district_level}",
    "slips.role_district": "Cán bộ {district_level}",
    "slips.zalo_search": "Mở Zalo, tìm:",
    "slips.step_telegram": "• Telegram: quét mã QR Telegram, bấm nút Bắt đầu.",
    "slips.step_zalo_qr": "• Zalo: quét mã QR Zalo, nhắn cho Bot mã {code}",
    "slips.step_zalo_name": "• Zalo: tìm tên Bot ở trên, nhắn cho Bot mã {code}",
    "slips.step_done": "• Bot trả lời «Đăng ký xong» là được.",
    "slips.expires": "Mỗi mã chỉ dùng một lần, đến hết ngày {day}. Xin giữ kín mã.",
    "slips.bad_telegram_username": (
        "TELEGRAM_BOT_USERNAME={value!r} không phải tên bot Telegram (5–32 chữ cái, số hoặc _, "
        "ví dụ tallybot_dinhhoa_bot)."
    ),
    "slips.bad_zalo_link": (
        "ZALO_BOT_LINK={value!r}: cần đường dẫn https:// tới bot mà Zalo Bot Creator chia sẻ."
    ),
    "slips.no_channel": (
        "Phiếu cần ít nhất một kênh: đặt TELEGRAM_BOT_USERNAME (tên bot Telegram), hoặc "
        "ZALO_BOT_NAME / ZALO_BOT_LINK (bot Zalo). Chưa tạo mã nào."
    ),
    "slips.telegram_username_missing": (
        "Bot chạy trên Telegram (TELEGRAM_BOT_TOKEN đã đặt) nhưng chưa đặt "
        "TELEGRAM_BOT_USERNAME: phiếu sẽ thiếu mã QR Telegram. Chưa tạo mã nào."
    ),
    "slips.zalo_missing": (
        "Bot chạy trên Zalo (ZALO_BOT_TOKEN đã đặt) nhưng chưa đặt ZALO_BOT_NAME hay "
        "ZALO_BOT_LINK: phiếu sẽ thiếu phần Zalo. Chưa tạo mã nào."
    ),
    "slips.channel_left_out": "Phiếu không có {channel}: chưa đặt {setting}.",
    "slips.not_surveyed": "Xã {name} không tham gia khảo sát: không in phiếu. Chưa tạo mã nào.",
    "slips.left_out": "{count} đơn vị đã có người đăng ký, không in phiếu:",
    "slips.left_out_people": (
        "{count} người trong bảng phân công đã có tài khoản chat, không in phiếu:"
    ),
    "slips.no_table_people": (
        "Bảng phân công chưa có ai với vai trò đã chọn: nạp bảng trước (tallybot assignments "
        "import). Chưa tạo mã nào."
    ),
    "slips.none_left": (
        "Mọi đơn vị và mọi người đã chọn đều đã đăng ký: không có phiếu nào để in. "
        "Chưa tạo mã nào."
    ),
    "slips.written": "Đã tạo {count} mã mời và ghi {count} phiếu ({pages} trang) vào {path}.",
    "slips.csv_written": "Đã tạo {count} mã mời và ghi vào {path}.",
    "report.draft": "DỰ THẢO — cần kiểm tra, chỉnh sửa trước khi trình ký",
    "report.front": "ỦY BAN MTTQ VIỆT NAM",
    "report.unit": "{level} {name}",
    "report.number": "Số: …/BC-MTTQ",
    "report.state": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "report.motto": "Độc lập - Tự do - Hạnh phúc",
    "report.place_date": "{place}, ngày …… tháng …… năm {year}",
    "report.title": "BÁO CÁO",
    "report.subject": "Kết quả {campaign}",
    "report.intro": (
        "Thực hiện Kế hoạch {campaign}, Ban Thường trực Ủy ban MTTQ Việt Nam {level} {district} "
        "báo cáo kết quả như sau:"
    ),
    "report.part_timeline": "I. CÔNG TÁC TRIỂN KHAI",
    "report.conference": (
        "Ngày {day}: tổ chức hội nghị triển khai, hướng dẫn trưởng {hamlet} và cán bộ các "
        "{commune} cách phát, thu phiếu và báo cáo số liệu."
    ),
    "report.collection": (
        "Từ ngày {start} đến ngày {end}: phát và thu phiếu lấy ý kiến tại các hộ gia đình; "
        "các {hamlet} báo cáo số phiếu thu về hằng ngày."
    ),
    "report.aggregation": (
        "Từ ngày {start} đến ngày {end}: tổng hợp kết quả từ {hamlet} lên {commune}, từ "
        "{commune} lên {district}; {confirmed}/{total} {commune} đã xác nhận số liệu."
    ),
    "report.posting": (
        "Từ ngày {start} đến ngày {end}: niêm yết công khai kết quả tại các {commune}."
    ),
    "report.due": (
        "Trước ngày {day}: báo cáo kết quả về Ban Thường trực Ủy ban MTTQ Việt Nam tỉnh."
    ),
    "report.part_results": "II. KẾT QUẢ LẤY Ý KIẾN",
    "report.results_general": "1. Kết quả chung",
    "report.as_of": "Số liệu tổng hợp đến {time} ngày {day}.",
    "report.overall": (
        "Toàn {level} có {households} hộ tại {communes} {commune} lấy ý kiến; thu về {collected} "
        "phiếu, bằng {participation} tổng số hộ; trong đó {valid} phiếu hợp lệ, {invalid} phiếu "
        "không hợp lệ."
    ),
    "report.thresholds": "Tiêu chí theo Kế hoạch: {clauses}.",
    "report.threshold_participation": "tỷ lệ hộ tham gia từ {percent} trở lên",
    "report.threshold_district_participation": (
        "tỷ lệ hộ tham gia toàn {level} từ {percent} trở lên"
    ),
    "report.threshold_question_min": (
        "tỷ lệ hài lòng từng câu {group} của mỗi {commune} từ {percent} trở lên"
    ),
    "report.threshold_average": "bình quân câu {group} từ {percent} trở lên",
    "report.threshold_overall": "câu {overall} từ {percent} trở lên",
    "report.table_caption": "Kết quả lấy ý kiến toàn {district} và từng {commune}",
    "report.col_number": "STT",
    "report.col_unit": "Đơn vị",
    "report.col_households": "Số hộ",
    "report.col_collected": "Số phiếu thu về",
    "report.col_participation": "Tỷ lệ tham gia (≥ {percent})",
    "report.col_lowest": "Câu {group} thấp nhất (≥ {percent})",
    "report.col_average": "Bình quân câu {group} (≥ {percent})",
    "report.col_overall": "Câu {overall} (≥ {percent})",
    "report.col_verdict": "Kết quả",
    "report.district_row": "Toàn {level}",
    "report.lowest": "{percent} (câu {question})",
    "report.unconfirmed": "Các {commune} chưa xác nhận số liệu: {names}.",
    "report.shortfalls": "2. Các {commune} chưa đạt tiêu chí",
    "report.no_shortfalls": "Tất cả các {commune} đều đạt các tiêu chí.",
    "report.shortfall_unit": "{level} {name}:",
    "report.no_figures": "chưa có số liệu",
    "report.short_participation": "tỷ lệ hộ tham gia {figure} ({gap});",
    "report.short_question": "câu {question} ({label}) {figure} ({gap});",
    "report.short_average": "bình quân câu {group} {figure} ({gap});",
    "report.need_households": "cần thêm {count} hộ để đạt {percent}",
    "report.need_forms": "cần thêm {count} phiếu hài lòng để đạt {percent}",
    "report.cannot_reach": "không thể đạt {percent}",
    "report.part_recommendations": "III. KIẾN NGHỊ CỦA NGƯỜI DÂN",
    "report.recommendations_intro": (
        "Tổng hợp từ ghi chú kiến nghị trong báo cáo hằng ngày của các {hamlet}:"
    ),
    "report.recommendation": "{hamlet} (ngày {day}): {note}",
    "report.no_recommendations": "Không có kiến nghị nào được ghi nhận.",
    "report.part_assessment": "IV. ĐÁNH GIÁ CHUNG",
    "report.assessment": (
        "Đối chiếu với các tiêu chí của Kế hoạch, kết quả toàn {level}: {clauses}."
    ),
    "report.assess_participation": "tỷ lệ tham gia — {verdict}",
    "report.assess_question_min": "từng câu {group} — {verdict}",
    "report.assess_average": "bình quân câu {group} — {verdict}",
    "report.assess_overall": "câu {overall} — {verdict}",
    "report.assessment_hint": "(Bổ sung nhận xét, đánh giá và đề xuất trước khi trình ký.)",
    "report.closing": (
        "Ban Thường trực Ủy ban MTTQ Việt Nam {level} {district} trân trọng báo cáo./."
    ),
    "report.recipients": "Nơi nhận:",
    "report.recipient_province": "- Ban Thường trực UB MTTQ Việt Nam tỉnh (để báo cáo);",
    "report.recipient_local": "- Thường trực cấp ủy, chính quyền {level};",
    "report.recipient_archive": "- Lưu: VT.",
    "report.signer": "TM. BAN THƯỜNG TRỰC",
    "report.signer_title": "CHỦ TỊCH",
    "report.sign_hint": "(Ký, ghi rõ họ tên, đóng dấu)",
}
