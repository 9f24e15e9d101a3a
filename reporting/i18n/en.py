"""English text, chosen per user with /lang en. Same keys as vi.py."""

MESSAGES: dict[str, str] = {
    # --- verdicts ---
    "verdict.met": "Met",
    "verdict.on_track": "On track",
    "verdict.at_risk": "At risk",
    "verdict.not_met": "Not met",
    "verdict.none": "No figures yet",
    # --- campaign file ---
    "campaign.unreadable": "Cannot read the campaign file {file}: {error}",
    "campaign.syntax": "The campaign file {file} is not valid TOML: {error}",
    "campaign.section": "Campaign file {file}: [{section}] must be a TOML table.",
    "campaign.missing": "Campaign file {file}: the key {key} is missing.",
    "campaign.bad_value": "Campaign file {file}: {key} = {value!r} is not valid — {problem}.",
    "campaign.want_text": "expected non-empty text",
    "campaign.too_long": "longer than {limit} characters",
    "campaign.want_zone": 'expected an IANA time zone such as "Asia/Ho_Chi_Minh"',
    "campaign.want_date": "expected a date such as 2024-01-27",
    "campaign.want_span": "expected two dates [start, end], e.g. [2024-01-27, 2024-02-03]",
    "campaign.span_backwards": "the end comes before the start",
    "campaign.want_percent": "expected a percentage above 0 and at most 100",
    "campaign.phase_order": (
        "Campaign file {file}: the {later} phase cannot start (or end) before the {earlier} phase."
    ),
    "campaign.quiet": (
        'Campaign file {file}: alerts.quiet needs two times, e.g. ["21:00", "07:00"].'
    ),
    "campaign.clock": 'Campaign file {file}: {key} = {value!r} is not a time such as "17:00".',
    "campaign.question_count": (
        "Campaign file {file}: at least 2 [[questions]] are needed, the file has {found}."
    ),
    "campaign.question_number": (
        "Campaign file {file}: entry {place} of [[questions]] needs a question number"
        " (number) of 1 or more — once one entry gives its number, every entry must."
    ),
    "campaign.question_twice": "Campaign file {file}: question {number} appears twice.",
    "campaign.question_missing": "Campaign file {file}: [[questions]] lacks question {numbers}.",
    "campaign.want_question": "expected a question number from 1 to {count}, or 0 for none",
    "campaign.want_questions": "expected a list of question numbers, each from 1 to {count}",
    "campaign.average_overlap": (
        "a question is listed twice, or the overall question (form.overall) is in the average"
    ),
    "campaign.no_overall": "the campaign has no overall question (form.overall = 0)",
    "campaign.two_names": "this key and {other} are one setting, give only one of them",
    "campaign.questions_changed": (
        "Campaign file {file} asks {now} questions; the campaign under way asks {asked} and"
        " already holds tallies. Questions cannot be added or removed part-way: keep {asked}."
    ),
    "campaign.question_label": "Campaign file {file}: question {number} has no label.",
    # --- settings ---
    "settings.want_integer": "Setting {name}={value!r}: expected a whole number, e.g. 7.",
    "settings.want_one_of": "Setting {name}={value!r}: expected one of {choices}.",
    # --- roster ---
    "import.row": "Line {line}: {problem}",
    "import.stopped": (
        "Import stopped part-way: {rows} of {total} rows stored; {count} rows after them were"
        " refused because someone changed the same hamlets during the import. Fix the rows"
        " below and import the whole file again (stored rows are only written again with the"
        " same figures):"
    ),
    "import.cell": "Line {line}, column “{column}”: {problem}",
    "import.file_missing": "File {path} not found.",
    "import.file_unreadable": "Cannot read file {path} ({reason}).",
    "import.file_xls": (
        "File {path} is an old-style Excel workbook (.xls). "
        "Please open it in Excel and save it as .xlsx or CSV UTF-8."
    ),
    "import.file_type": (
        "File {path} is neither CSV nor XLSX. Please save the sheet as .xlsx or CSV UTF-8."
    ),
    "import.file_encoding": (
        "Cannot tell the text encoding of {path}. Please save it again as CSV UTF-8."
    ),
    "import.file_empty": "File {path} is empty: it has no header line.",
    "import.no_rows": "File {path} has a header line but no data rows.",
    "import.same_column": (
        "columns “{first}” and “{second}” mean the same thing; please keep only one of them."
    ),
    "import.stray_cells": (
        "has filled cells outside the headed columns (“{cells}”). In a CSV file a comma inside "
        "a number (like 4,5) splits it into two cells; please fix the number, or give that "
        "column a header."
    ),
    "import.missing_column": "Missing column “{english}” (or “{column}”).",
    "import.count_empty": "no number given; a whole number of 0 or more is needed.",
    "import.count_decimal": (
        "“{value}” is not a whole number; a whole number is needed, with dots only between "
        "thousands (e.g. 1.234)."
    ),
    "import.count_negative": "“{value}” is negative; a whole number of 0 or more is needed.",
    "import.count_not_number": (
        "“{value}” is not a number; a whole number of 0 or more is needed, e.g. 45."
    ),
    "import.count_too_big": "“{value}” is too large; a whole number from 0 to 999,999,999.",
    "import.empty_commune": "the commune name is empty.",
    "import.empty_hamlet": "the hamlet name is empty.",
    "import.name_too_long": "the name is {length} characters long; at most {limit}.",
    "import.date_empty": "no date given; write it as dd/mm/yyyy, e.g. 27/01/2024.",
    "import.date_invalid": (
        "“{value}” is not a valid date; write dd/mm/yyyy (e.g. 27/01/2024) or yyyy-mm-dd."
    ),
    "import.unknown_question": "column “{column}”: the form has questions 1 to {count} only.",
    "import.duplicate_tally": (
        "hamlet “{hamlet}”, commune “{commune}”, day {day} is already on line {first}; "
        "one line per hamlet and day."
    ),
    "roster.households_zero": "the number of households must be more than 0.",
    "roster.surveyed_invalid": (
        "“{value}” is unclear; write 1 (surveyed) or 0 (not surveyed), yes/no, x, "
        "or leave it empty."
    ),
    "roster.duplicate_hamlet": (
        "hamlet “{hamlet}” of commune “{commune}” repeats line {first} (“{first_hamlet}”)."
    ),
    "roster.commune_spelling": (
        "commune “{commune}” is spelt differently on line {first} (“{first_commune}”); "
        "please spell it the same on every line."
    ),
    "roster.surveyed_conflict": (
        "Commune “{commune}” is marked surveyed (line {surveyed}) and not surveyed "
        "(line {excluded}); a commune is one or the other."
    ),
    # --- assignment table ---
    "assign.empty_person": "the name is empty.",
    "assign.empty_position": "the position is empty.",
    "assign.empty_role": "the role is empty; write official, commune or district.",
    "assign.unknown_role": "«{value}» is not a role; write official, commune or district.",
    "assign.two_roles": (
        "{name} is already on line {first} as {first_role}, this line says {role}; "
        "a person has one role."
    ),
    "assign.unknown_commune": (
        "there is no commune «{commune}» in the roster; check its name "
        "(or load the roster first: tallybot roster import)."
    ),
    "assign.ambiguous_commune": (
        "«{commune}» fits several communes: {candidates}. Write the commune's full name."
    ),
    "assign.commune_not_surveyed": (
        "commune «{commune}» takes no part in the survey, so nobody can answer for it."
    ),
    "assign.official_needs_communes": "{name} is an official but no commune is given.",
    "assign.commune_needs_commune": "{name} is a commune user but no commune is given.",
    "assign.commune_needs_one": (
        "{name} is a commune user and follows one commune, but the file gives: {communes}."
    ),
    "assign.district_takes_none": (
        "{name} is district staff and sees the whole district: leave the communes empty."
    ),
    # --- tallies ---
    "tally.question_count": (
        "All {expected} satisfied counts are needed (Q1–Q{expected}); got {found}."
    ),
    "tally.negative_collected": "Forms collected cannot be negative ({value}).",
    "tally.negative_invalid": "Invalid forms cannot be negative ({value}).",
    "tally.invalid_over_collected": (
        "Invalid forms ({invalid}) are more than the forms collected ({collected}). "
        "Invalid forms must be between 0 and {collected}."
    ),
    "tally.satisfied_over_valid": (
        "Question {question} ({label}): {value} satisfied, more than the valid forms ({valid}). "
        "Satisfied must be between 0 and {valid}."
    ),
    "tally.outside_window": (
        "{day} is outside the collection period ({start} – {end}). "
        "Reports can only be sent for days in that period."
    ),
    "tally.note_too_long": (
        "The note is {length} characters long, over the {limit} allowed. Please shorten it."
    ),
    "tally.late_outside_campaign": (
        "{day} is outside the campaign: a late entry takes days from {start} "
        "(collection start) to {last}."
    ),
    "roster.below_collected": (
        "{hamlet} has already collected {collected} forms, so its households cannot be "
        "{households}. Households must be {collected} or more."
    ),
    "tally.locked": (
        "Commune {commune} has confirmed its figures, so they can no longer change. "
        "Ask the district staff to unlock it."
    ),
    "tally.over_households": (
        "{hamlet} has {households} households. Other days already collected {earlier} forms; "
        "{collected} more on {day} makes {total} — more than the households. "
        "Please check the figure."
    ),
    # --- cli ---
    "db.outdated": (
        "The database does not exist yet or needs an upgrade (revision {revision}). "
        "Run: tallybot init"
    ),
    "db.no_campaign": "No campaign is loaded. Run: tallybot init",
    "unit.unknown_commune": "No commune called “{query}”.",
    "unit.unknown_hamlet": "No hamlet called “{query}”.",
    "unit.ambiguous": "“{query}” matches several units: {candidates}. Please be more specific.",
    "invite.hamlet_needs_one_hamlet": (
        'A hamlet invite needs exactly one hamlet: --unit "Commune/Hamlet".'
    ),
    "invite.commune_needs_one_commune": (
        'A commune invite needs exactly one commune: --unit "Commune".'
    ),
    "invite.official_needs_communes": (
        'An official invite needs one or more communes: --unit "A" --unit "B".'
    ),
    "invite.district_takes_no_unit": "The district role sees the whole district: no --unit.",
    "invite.line_cells": (
        "{cells} filled cells; write one unit per line as --unit takes it (“Commune/Hamlet” or "
        "“Commune”), or two cells: commune and hamlet."
    ),
    "invite.line_repeated": "“{unit}” is already on line {first}; list each unit once.",
    "invite.line_needs_hamlet": (
        "“{unit}” is a commune; a {role} invite needs a hamlet (“Commune/Hamlet”)."
    ),
    "invite.line_needs_commune": "“{unit}” is a hamlet; a {role} invite needs a commune.",
    "invite.file_no_units": "File {path} names no unit.",
    "invite.unknown": "This invite code is not right. Please check the 8-character code.",
    "invite.used": "This invite code has already been used. Each code works once.",
    "invite.just_used": (
        "Someone else used this invite code just before you. Each code works once. "
        "Please ask the district staff for a new one."
    ),
    "invite.expired": "This invite code has expired. Please ask the district staff for a new one.",
    "invite.cancel_unknown": "There is no invite code “{code}”.",
    "invite.cancel_used": (
        "Invite code {code} has been used (user {user_id}) and cannot be cancelled. "
        "To shut that person out: tallybot revoke {user_id}"
    ),
    "invite.cancel_expired": "Invite code {code} is already cancelled or expired.",
    "invite.already_registered": "This account is already registered.",
    "invite.withdrawn": (
        "This invite code can no longer be used. Please ask the district staff for a new one."
    ),
    "invite.user_revoked": "User {user_id} ({name}) is revoked: no invite can be made for them.",
    "user.unknown": "There is no user {user_id}.",
    "cli.init_done": "Ready: database {url}, campaign “{campaign}”.",
    "cli.roster_done": (
        "Roster loaded: {communes} communes; {added} hamlets added, {updated} updated, "
        "{unchanged} unchanged."
    ),
    "cli.assignments_done": (
        "Assignment table loaded: {added} people added, {updated} updated, {unchanged} unchanged."
    ),
    "cli.assignments_new": (
        "New people, no chat account yet (make each a code: tallybot invite --user ID):"
    ),
    "cli.assignments_absent": (
        "{count} people of the earlier table are not in this file; they are kept as they are. "
        "If they no longer answer for a commune: tallybot revoke ID"
    ),
    "cli.invite_count": "--count must be between 1 and 500 (got {count}).",
    "cli.invite_needs_role": (
        "Give --role (an invite for a new user) or --user (another account for an existing one)."
    ),
    "cli.invite_cancel_alone": "--cancel goes without --role, --unit, --count or --user.",
    "cli.invite_cancelled": "Invite code {code} cancelled.",
    "cli.invite_many_alone": (
        "--file and --all-hamlets go without --unit, --count, --user and --cancel, "
        "and not with each other."
    ),
    "cli.invite_all_hamlets_role": (
        "--all-hamlets makes codes for hamlet leaders: --role can only be hamlet."
    ),
    "cli.invite_out_many_only": "--out goes with --file or --all-hamlets.",
    "cli.invite_no_hamlets": (
        "No hamlet of a surveyed commune yet: load the roster first (tallybot roster import)."
    ),
    "cli.invite_out_exists": (
        "{path} already exists; choose another name so nothing is overwritten. No code was made."
    ),
    "cli.invite_out_failed": "Could not write {path}: {error}. No code was made.",
    "cli.invites_written": "Made {count} invite codes and wrote them to {path}.",
    "cli.slips_alone": (
        "invite slips takes only --out, --role, --commune and --format, written after slips."
    ),
    "cli.invite_user_alone": (
        "--user goes without --role, --unit and --count: the code carries the user's own role "
        "and units."
    ),
    "cli.user_active": "active",
    "cli.user_revoked": "revoked",
    "cli.user_last_seen": "last seen {moment} on {channel}",
    "cli.no_users": "No users yet. Create invite codes with: tallybot invite --role …",
    "cli.revoked": "User {user_id} ({name}) is revoked. Their records are kept.",
    "cli.backup_sqlite_only": "backup works on SQLite databases; for PostgreSQL use pg_dump.",
    "cli.backup_exists": "{path} already exists; choose another name so nothing is overwritten.",
    "cli.backup_failed": "Could not back up to {path}: {error}.",
    "cli.backup_done": "Backed up to {path} ({size} bytes).",
    "cli.tally_stored": "Stored the report of {hamlet} for {day}.",
    "cli.tally_replaced": "Replaced the figures of {hamlet} for {day}; the old ones are kept.",
    "cli.import_progress": "Importing",
    "cli.export_progress": "Exporting",
    "cli.import_done": "Imported {rows} report rows.",
    "cli.commune_pdf_only": (
        "--commune goes only with --format pdf (one posting sheet per commune)."
    ),
    "cli.commune_not_surveyed": "{commune} is not surveyed, so it has no posting sheet.",
    "cli.export_done": "Wrote {path}.",
    "cli.bad_option": "{option}: {problem}",
    "cli.bad_date": "“{value}” is not a valid date; write dd/mm/yyyy, e.g. 27/01/2024.",
    "cli.file_refused": "File refused, nothing was written ({count} problems):",
    "cli.unexpected": "Unexpected error: {error}. Run again with --debug for details.",
    # --- charts and exports ---
    "chart.unit": "{level} {name}",
    "chart.as_of": "Figures as of {time} on {day}",
    "chart.page": " · page {page}/{pages}",
    "chart.question_tick": "Q{question}",
    "chart.average_tick": "Avg {group}",
    "chart.participation_title": "Household participation by {level} — {unit}",
    "chart.participation_axis": "Households that answered / all households",
    "chart.questions_title": "Satisfaction by question — {unit}",
    "chart.questions_numbers": "Question number",
    "chart.questions_axis": "Satisfied forms / valid forms",
    "chart.pace_title": "Collection pace — {unit}",
    "chart.pace_axis": "Households that answered (cumulative)",
    "chart.pace_actual": "Collected",
    "chart.pace_target": "Pace to reach {percent}",
    "chart.pace_needed": "Needed from now",
    "chart.heatmap_title": "Satisfaction (%) by {level} and question — {unit}",
    "chart.legend_met": "Threshold met",
    "chart.legend_below": "Below threshold",
    "chart.legend_worst": "Lowest",
    "chart.legend_none": "No forms yet",
    "xlsx.as_of": "{level} {name} — figures as of {time} on {day} (collection {start} – {end})",
    "xlsx.number": "No.",
    "xlsx.households": "Households",
    "xlsx.collected": "Forms collected",
    "xlsx.participation": "Participation",
    "xlsx.valid": "Valid forms",
    "xlsx.invalid": "Invalid forms",
    "xlsx.question": "Q{question}. {label}",
    "xlsx.satisfied": "Satisfied",
    "xlsx.rate": "Rate",
    "xlsx.average": "Average Q{group}",
    "xlsx.verdicts": "Against the targets",
    "xlsx.verdict_participation": "Participation ≥ {percent}",
    "xlsx.verdict_question_min": "Each Q{group} ≥ {percent}",
    "xlsx.verdict_average": "Average Q{group} ≥ {percent}",
    "xlsx.verdict_overall": "Q{overall} ≥ {percent}",
    "xlsx.confirmed": "Confirmed",
    "xlsx.yes": "Yes",
    "xlsx.no": "Not yet",
    "xlsx.total": "Whole {level} {name}",
    "posting.front": "VIETNAM FATHERLAND FRONT COMMITTEE",
    "posting.state": "SOCIALIST REPUBLIC OF VIETNAM",
    "posting.motto": "Independence – Freedom – Happiness",
    "posting.title": "PUBLIC NOTICE OF THE RESULTS",
    "posting.unit": "{level} {name}",
    "posting.period": "Collection period: from {start} to {end}",
    "posting.as_of": "Figures as of {time} on {day}",
    "posting.households": "Households: {count}",
    "posting.collected": "Forms collected: {count} ({percent} of households)",
    "posting.valid": "Valid forms: {valid}; invalid forms: {invalid}",
    "posting.unconfirmed": "(Provisional figures: the {level} has not confirmed them yet)",
    "posting.column_number": "No.",
    "posting.column_question": "Question",
    "posting.column_satisfied": "Satisfied forms",
    "posting.column_rate": "Satisfaction rate",
    "posting.average": "Average of questions {group}",
    "posting.rate_note": "Satisfaction rate = satisfied forms / valid forms.",
    "posting.place_date": "{place}, day …… month …… year {year}",
    "posting.signer": "For the Standing Board of the {level} Fatherland Front Committee",
    "posting.signer_title": "CHAIR",
    "posting.sign_hint": "(Signature, full name, seal)",
    "run.unreachable": (
        "Cannot reach {platform} ({host}) yet: {reason}. Check the server's network, DNS, "
        "firewall or proxy, and {setting}. The bot tries again in {wait} s."
    ),
    "run.telegram_token": (
        "Telegram refuses TELEGRAM_BOT_TOKEN: the token is wrong or was revoked. Get it again "
        "from @BotFather, fix it in the environment or .env and start again."
    ),
    "run.zalo_token": (
        "Zalo refuses ZALO_BOT_TOKEN: the token is wrong or was revoked. Get it again in Zalo "
        "Bot Creator, fix it in the environment or .env and start again."
    ),
    "db.unreachable": (
        "Cannot connect to the database {where}: {reason}. Check DATABASE_URL (host, port, "
        "database name, user) and that PostgreSQL is running and accepts connections from "
        "this machine (firewall, pg_hba.conf)."
    ),
    "run.no_token": (
        "Neither TELEGRAM_BOT_TOKEN nor ZALO_BOT_TOKEN is set: put at least one bot token in "
        "the environment or in .env (see .env.example)."
    ),
    "run.zalo_public_url": (
        "The Zalo channel needs PUBLIC_URL: the public HTTPS address from which Zalo fetches "
        "the charts (see the README, Zalo)."
    ),
    "run.no_public_url": (
        "Webhook mode needs PUBLIC_URL: the public HTTPS address Telegram and Zalo call."
    ),
    "run.public_url": (
        "PUBLIC_URL={url!r} cannot be used: it must be an https://… address "
        "(http:// only for 127.0.0.1 or localhost)."
    ),
    "run.webhook_secret": (
        "Webhook mode needs a WEBHOOK_SECRET of 8 to 256 characters: letters A–Z, a–z, "
        "digits, _ and - only."
    ),
    "run.positive": "{name} must be a whole number greater than 0.",
    # --- alerts ---
    "alert.wrong_codes": (
        "🔐 Warning: account {account} («{name}») typed a wrong invite code {count} times "
        "within {minutes} minutes and must wait until {until}. If this is not someone you "
        "invited, someone may be guessing codes."
    ),
    "alert.reminder": "🔔 Reminder: your hamlet has not reported today ({day}). Send /report.",
    "alert.missing": "📭 {commune}: {count}/{hamlets} hamlets not reported on {day}: {names}.",
    "alert.digest": (
        "📊 Digest for {day}: {collected}/{households} households ({percent}){figures}.\n"
        "Communes to watch: {troubled}.\nHamlets without today's report: {missing}."
    ),
    "alert.digest_average": "Q{group} average {percent}",
    "alert.digest_overall": "Q{overall} {percent}",
    "alert.verdict": (
        "🚨 {unit} — {measure}: {old} → {new}. Now {figure} (threshold {threshold}){gap}."
        "{responsible}"
    ),
    "alert.measure_participation": "participation",
    "alert.measure_question_min": "lowest question (Q{group})",
    "alert.measure_average": "Q{group} average",
    "alert.measure_overall": "Q{overall}",
    "alert.collection_ending": (
        "⏰ Collection ends in 2 days ({end}). {commune} is at {percent}; at this pace it "
        "reaches only about {projected}{gap}."
    ),
    "alert.collection_ending_district": (
        "⏰ Collection ends in 2 days ({end}). At this pace {count} commune(s) stay below "
        "{percent}: {names}."
    ),
    "alert.confirm_due": (
        "⏰ Aggregation has started. Commune {commune} has not confirmed its figures "
        "(by {end}). The commune's officers confirm with /confirm."
    ),
    "alert.confirm_due_district": (
        "⏰ Aggregation has started. {count} communes have not confirmed (by {end}): {names}."
    ),
    "alert.question_figure": "Q{question} {percent}",
    "alert.report_due": (
        "⏰ Tomorrow ({due}) the report to the provincial Front is due. "
        "Send /export for the workbook."
    ),
    # --- chat ---
    "chat.recount": (
        "There are now {valid} valid forms: please give each question's satisfied count again."
    ),
    "chat.unlock_usage": "Send /unlock with a commune's name, e.g. /unlock Định Biên.",
    "chat.unlocked": (
        "🔓 Commune {commune} is reopened: hamlets can correct figures; confirm again."
    ),
    "chat.not_locked": (
        "Commune {commune} has not confirmed its figures, so there is nothing to unlock."
    ),
    "help.assignments": "/assignments (/phancong) — who answers for which commune",
    "assign.heading": "👥 Assignments — {time} on {day}",
    "assign.person": "👤 {name} — {position}",
    "assign.commune": "   {commune}: {verdict}, participation {percent}",
    "assign.whole_district": "   The whole district",
    "assign.not_opened": "   ✉️ Has not opened the bot",
    "assign.not_opened_summary": "Not yet in the bot: {count}/{total} people — {names}.",
    "assign.all_opened": "Everyone has opened the bot ✅",
    "assign.none": (
        "No assignment table yet. The IT officer loads it with: tallybot assignments import FILE"
    ),
    "alert.responsible": "\nResponsible: {names}.",
    "alert.digest_commune": "{commune} {mark} (responsible: {names})",
    "help.unlock": "/unlock (/mokhoa) commune — reopen confirmed figures",
    "chat.chart_participation": (
        "Participation by commune (as of {time} on {day}); the dashed line is {percent}."
    ),
    "chat.chart_questions": "Satisfaction per question, whole district (as of {time} on {day}).",
    "chat.chart_pace": (
        "Forms collected against the pace needed for {percent} (as of {time} on {day})."
    ),
    "chat.chart_heatmap": "Satisfaction by commune and question (as of {time} on {day}).",
    "chat.chart_commune": "Satisfaction per question, commune {commune} (as of {time} on {day}).",
    "chat.chart_more": (
        "{count} more communes: send /chart with a commune's name, e.g. /chart Định Biên."
    ),
    "chat.export_caption": "The aggregation workbook of the survey (as of {time} on {day}).",
    "chat.report_caption": (
        "Draft report on the survey to the province (figures as of {time} on {day}): check, "
        "edit, then sign."
    ),
    "chat.export_unknown": "Send /export for the workbook, /export report for the draft report.",
    "help.chart": "/chart (/bieudo) [commune] — charts",
    "help.export": (
        "/export (/xuatfile) — the Excel aggregation workbook; /export report — draft report"
    ),
    "chat.text_only": (
        "Please send text or numbers (the bot cannot read photos, stickers or files). Send /help."
    ),
    "chat.error": (
        "Sorry, something went wrong and this could not be done. Nothing was changed. Please "
        "try again in a few minutes."
    ),
    "chat.unregistered": (
        "Hello! You are not registered yet. Please send the 8-character invite code from the "
        "district staff, e.g. /start AB3KQ7MX"
    ),
    "chat.private_only": (
        "Sorry, the bot works only in a private chat. Please message the bot directly to "
        "register and report; do not post invite codes or figures in a group."
    ),
    "chat.slow_down": (
        "You have sent too many messages. The bot will not answer this account until {until}. "
        "If you have an invite code, send it again after that."
    ),
    "chat.wrong_codes_wait": (
        "You have typed a wrong invite code {count} times. Please wait until {until} and try "
        "again, or ask the district staff to check the code."
    ),
    "chat.revoked": (
        "Your account has been disabled. Please contact the district staff if you need it again."
    ),
    "chat.ask_code": (
        "Hello! To begin, please send the 8-character invite code from the district staff."
    ),
    "chat.welcome_back": "Hello {name}!",
    "chat.registered_hamlet": "✅ Registered! {name} reports for {units}.",
    "chat.registered_commune": "✅ Registered! {name} follows commune {units}.",
    "chat.registered_official": "✅ Registered! {name} is assigned to: {units}.",
    "chat.registered_district": "✅ Registered! {name} follows the whole district {units}.",
    "chat.help_heading": "Commands you can use:",
    "help.help": "/help (/trogiup) — list the commands",
    "help.report": "/report (/baocao) — send the daily tally",
    "help.mine": "/mine (/xomtoi) — your hamlet's figures",
    "help.status": "/status (/tinhhinh) [commune] — how the communes stand",
    "help.missing": "/missing (/chuabaocao) [commune] — hamlets without today's report",
    "help.confirm": "/confirm (/xacnhan) — confirm the commune's figures (aggregation phase)",
    "help.lang": "/lang vi | en — change language",
    "help.cancel": "/cancel (/huy) — stop what you are doing",
    "chat.unknown_command": "There is no command /{command}. Send /help to see the commands.",
    "chat.not_for_role": "/{command} is not for your role. Send /help to see what you can use.",
    "chat.no_flow": (
        "What would you like to do? Send /report to report, or /help for the commands."
    ),
    "chat.stale_button": (
        "This button belongs to an old message and no longer works. Send /report to start again."
    ),
    "chat.draft_expired": (
        "Your unfinished report for {day} expired at midnight and was dropped. Send /report to "
        "report today."
    ),
    "chat.draft_resumed": (
        "You have an unfinished report. Please continue from the question below (/cancel to "
        "drop it)."
    ),
    "chat.not_collection_day": (
        "Today ({day}) is not a collection day. Collection runs {start} – {end}."
    ),
    "chat.commune_locked": (
        "The commune has confirmed its figures, so reports can no longer change. Ask the "
        "district staff to unlock it."
    ),
    "chat.ask_hamlet": "Report for which hamlet? Choose one:",
    "chat.ask_replace": (
        "{hamlet} already reported for {day}. Sending again REPLACES those figures (the old "
        "ones are kept). Send again?"
    ),
    "chat.replace_yes": "Yes, send again",
    "chat.no": "No",
    "chat.kept_old": "OK, the figures already sent stay as they are.",
    "chat.tally_heading": "📝 Report for {day} — {hamlet}",
    "chat.ask_collected": "Step 1: How many forms did the hamlet collect today? (0 to {limit})",
    "chat.ask_invalid": (
        "Step 2: Of the {collected} forms, how many are invalid? (0 to {collected}; none: "
        "choose 0)"
    ),
    "chat.ask_satisfied": (
        "Question {question}/{count} — {label}: how many satisfied? (0 to {valid})"
    ),
    "chat.all": "All ({count})",
    "chat.ask_note": "Households' requests and comments (if any): type them here, or choose Skip.",
    "chat.skip": "Skip",
    "chat.review_heading": "📋 Check the report for {day} — {hamlet}",
    "chat.review_forms": "Forms collected: {collected} · invalid: {invalid} · valid: {valid}",
    "chat.review_question": "Q{question} ({label}): {satisfied} satisfied",
    "chat.review_note": "Requests: {note}",
    "chat.review_actions": "If it is right, choose Send. To change something, choose Edit.",
    "chat.send": "Send",
    "chat.edit": "Edit",
    "chat.cancel": "Cancel",
    "chat.ask_edit": "Which item?",
    "chat.field_collected": "Collected",
    "chat.field_invalid": "Invalid",
    "chat.field_question": "Q{question}",
    "chat.field_note": "Requests",
    "chat.ask_edit_collected": "How many forms were collected? (0 to {limit})",
    "chat.ask_edit_invalid": "How many forms are invalid? (0 to {limit})",
    "chat.pick_from_list": (
        "Please choose one of the options below (type its number or its name)."
    ),
    "chat.edited": (
        "Editing a sent message does not change your answer. Please send it again as a new "
        "message."
    ),
    "chat.over_limit": "{value} is more than allowed. A number from 0 to {limit} is needed.",
    "chat.stuck_help": (
        "If step by step is hard, you can send the whole report in one line:\n"
        "/report COLLECTED {columns}\n"
        "e.g. /report {example}\n"
        "Send /cancel to stop."
    ),
    "chat.answer_column": "Q{number}",
    "chat.cancelled": "Cancelled. Nothing was sent.",
    "chat.nothing_to_cancel": "There is nothing to cancel.",
    "chat.tally_saved": "✅ Stored the report for {day} of {hamlet}.",
    "chat.tally_replaced": "✅ Replaced the figures for {day} of {hamlet} (old ones are kept).",
    "chat.running_total": (
        "So far: {collected}/{households} households gave their opinion ({percent})."
    ),
    "chat.lowest_so_far": "Lowest question: Q{question} ({label}) {percent}.",
    "chat.oneline_hamlet_only": (
        "One-line reports are for hamlet leaders. Send /report to pick a hamlet and go step by "
        "step."
    ),
    "chat.oneline_format": (
        "A one-line report needs {short} or {long} numbers (got {found}):\n"
        "/report COLLECTED Q1 … Q{count} — e.g. /report {example}\n"
        "/report COLLECTED INVALID Q1 … Q{count} — e.g. /report {example_invalid}\n"
        "A day may come first: /report 28/01 45 44 …"
    ),
    "chat.oneline_number": (
        "Number {position} (“{value}”) is not a whole number ≥ 0. Please send the whole line "
        "again."
    ),
    "chat.oneline_day": "{day} is outside the collection period ({start} – {end}).",
    "chat.mine_heading": "🏠 {hamlet} (commune {commune})",
    "chat.mine_no_collection": "Today ({day}) is not a collection day.",
    "chat.mine_missing": "Today ({day}): not reported yet. Send /report.",
    "chat.mine_reported": "Today ({day}): reported {collected} forms at {time}.",
    "chat.unknown_commune": "No commune called “{query}”.",
    "chat.out_of_scope": "Commune {commune} is not one of yours.",
    "chat.missing_no_collection": "Today ({day}) is not a collection day.",
    "chat.missing_heading": "📭 Hamlets without a report on {day}:",
    "chat.missing_commune": "{commune} ({count}/{hamlets} hamlets): {names}",
    "chat.missing_none": "{commune}: all {hamlets} hamlets reported ✅",
    "chat.confirm_not_now": (
        "Figures can be confirmed only in the aggregation phase ({start} – {end})."
    ),
    "chat.confirm_already": "Commune {commune} has already confirmed its figures.",
    "chat.confirm_ask": (
        "Confirm the figures above for commune {commune}? After that, hamlets cannot change them."
    ),
    "chat.confirm_yes": "Confirm",
    "chat.confirm_done": "✅ Commune {commune}'s figures are confirmed and locked.",
    "chat.lang_usage": "Send /lang vi for Vietnamese, /lang en for English.",
    "chat.lang_set": "Language set to English.",
    "demo.starting": (
        "Playing the campaign through chat: {days} collection days ({start}–{end}), one line "
        "each; outputs go to {out}/"
    ),
    "demo.day": (
        "Day {number}/{days} ({day}): {messages} messages, {tallies} tallies, "
        "{alerts} alerts so far."
    ),
    "demo.confirmed": (
        "Aggregation ({day}): {confirmed} {level} confirmed their figures; {messages} "
        "messages, {alerts} alerts so far."
    ),
    "demo.assignments": (
        "Launch conference ({day}): imported the assignment table ({people} people; the names "
        "are illustrative) from {path}"
    ),
    "demo.slips": (
        "Printed {count} invite slips with QR codes ({pages} A4 pages) to {path}; everyone "
        "registers with the code on their slip."
    ),
    "demo.report": "Wrote the district's draft report to the province (DOCX) to {path}",
    "demo.writing": "Writing the workbook, the PDF and the charts to {out}/ …",
    "demo.played": (
        "Played the campaign through chat: {messages} messages ({telegram} on Telegram, {zalo} "
        "on Zalo), the bot restarted {restarts} time(s) midway."
    ),
    "demo.imported": (
        "The district imported {rows} paper report rows from the spreadsheets of communes not "
        "on the bot."
    ),
    "demo.alerts": (
        "The bot sent {alerts} alerts, reminders and digests on its own (see transcript.txt)."
    ),
    "demo.outbox": "Outbox: {sent} messages sent, {waiting} waiting, {failed} not deliverable.",
    "demo.written": "Wrote {files} to {out}/",
    "table.unit": "Unit",
    "table.households": "Homes",
    "table.collected": "Forms",
    "table.participation": "Taking part",
    "table.lowest": "Lowest",
    "table.average": "Q{group} avg",
    "table.overall": "Q{overall}",
    "table.verdict": "OK?",
    "table.question": "Q{question}",
    "table.gaps": "What is still needed:",
    "status.heading": "📊 Status at {time} on {day} (collection day {elapsed}/{total})",
    "status.unit_title": "{mark} {name}",
    "status.participation": "Households taking part: {collected}/{households} ({percent}) {mark}",
    "status.lowest": "Lowest question: Q{question} ({label}) {percent} {mark}",
    "status.average": "Q{group} average: {percent} {mark}",
    "status.overall": "Q{overall}: {percent} {mark}",
    "status.no_forms": "No valid forms yet, so no satisfaction rates.",
    "status.reported": "Hamlets reported today: {reported}/{hamlets}",
    "status.confirmed": "confirmed",
    "status.unconfirmed": "not confirmed",
    "status.questions": "\nEach question (satisfied forms, rate):",
    "status.question": "Q{question} ({label}): {satisfied} · {percent} {mark}",
    "status.hamlets": "\nHamlets (forms collected/households):",
    "status.hamlet_reported": "✔️ {name}: {collected}/{households} ({percent})",
    "status.hamlet_missing": "✖️ {name}: {collected}/{households} ({percent}) — no report today",
    "status.need_households": "needs {count} more households to reach {percent}",
    "status.need_forms": "{what} needs {count} more satisfied forms to reach {percent}",
    "status.gap_question": "Q{question}",
    "status.gap_average": "the Q{group} average",
    "status.impossible": "{what} cannot reach {percent} (too few households left)",
    "status.gap_participation": "participation",
    # --- invite slips (printed) ---
    "slips.pdf_title": "Invite slips",
    "slips.for_hamlet": "Sign-up code of the hamlet's Front committee leader",
    "slips.for_commune": "Sign-up code of the commune's leader (People's Committee or Front)",
    "slips.for_official": "Sign-up code of the district official assigned to the commune",
    "slips.for_district": "Sign-up code of the district staff",
    "slips.person_commune": "Answers for {level} {names}",
    "slips.person_communes": "Answers for the {level} {names}",
    "slips.person_district": "Answers for the whole {level} of {name}",
    "slips.role_hamlet": "Hamlet Front committee leader",
    "slips.role_commune": "Commune leader",
    "slips.role_official": "District official",
    "slips.role_district": "District staff",
    "slips.zalo_search": "Open Zalo, search for:",
    "slips.step_telegram": "• Telegram: scan the Telegram QR code, press Start.",
    "slips.step_zalo_qr": "• Zalo: scan the Zalo QR code, send the Bot {code}",
    "slips.step_zalo_name": "• Zalo: search the Bot named above, send it {code}",
    "slips.step_done": "• When the Bot answers «Registered», you are done.",
    "slips.expires": "Each code works once, until the end of {day}. Keep it to yourself.",
    "slips.bad_telegram_username": (
        "TELEGRAM_BOT_USERNAME={value!r} is not a Telegram bot username (5–32 letters, digits "
        "or _, e.g. tallybot_dinhhoa_bot)."
    ),
    "slips.bad_zalo_link": (
        "ZALO_BOT_LINK={value!r}: needs the https:// link to the bot that Zalo Bot Creator shares."
    ),
    "slips.no_channel": (
        "Slips need at least one channel: set TELEGRAM_BOT_USERNAME (the Telegram bot's "
        "username), or ZALO_BOT_NAME / ZALO_BOT_LINK (the Zalo bot). No code was made."
    ),
    "slips.telegram_username_missing": (
        "The bot runs on Telegram (TELEGRAM_BOT_TOKEN is set) but TELEGRAM_BOT_USERNAME is not: "
        "the slips would lack the Telegram QR code. No code was made."
    ),
    "slips.zalo_missing": (
        "The bot runs on Zalo (ZALO_BOT_TOKEN is set) but neither ZALO_BOT_NAME nor "
        "ZALO_BOT_LINK is: the slips would lack Zalo. No code was made."
    ),
    "slips.channel_left_out": "The slips leave out {channel}: {setting} is not set.",
    "slips.not_surveyed": "Commune {name} is not surveyed: no slips for it. No code was made.",
    "slips.left_out": "{count} units already have a registered leader, no slip printed:",
    "slips.left_out_people": (
        "{count} people of the assignment table already have a chat account, no slip printed:"
    ),
    "slips.no_table_people": (
        "The assignment table names nobody with the chosen role: import it first (tallybot "
        "assignments import). No code was made."
    ),
    "slips.none_left": (
        "Every chosen unit and person has registered already: no slip to print. No code was made."
    ),
    "slips.written": (
        "Made {count} invite codes and wrote {count} slips ({pages} pages) to {path}."
    ),
    "slips.csv_written": "Made {count} invite codes and wrote them to {path}.",
    "report.draft": "DRAFT — to be checked and edited before signing",
    "report.front": "VIETNAM FATHERLAND FRONT COMMITTEE",
    "report.unit": "{level} {name}",
    "report.number": "No.: …/BC-MTTQ",
    "report.state": "SOCIALIST REPUBLIC OF VIETNAM",
    "report.motto": "Independence - Freedom - Happiness",
    "report.place_date": "{place}, day …… month …… year {year}",
    "report.title": "REPORT",
    "report.subject": "Results: {campaign}",
    "report.intro": (
        "Carrying out the plan ({campaign}), the Standing Committee of the Fatherland Front "
        "Committee of {level} {district} reports as follows:"
    ),
    "report.part_timeline": "I. HOW IT WAS CARRIED OUT",
    "report.conference": (
        "{day}: launch conference; {hamlet} leaders and {commune} staff were briefed on "
        "handing out and collecting forms and reporting figures."
    ),
    "report.collection": (
        "{start} to {end}: forms handed out to and collected from households; each {hamlet} "
        "reported the forms collected every day."
    ),
    "report.aggregation": (
        "{start} to {end}: results aggregated from {hamlet} to {commune} and from {commune} to "
        "{district}; {confirmed}/{total} {commune} confirmed their figures."
    ),
    "report.posting": "{start} to {end}: results posted publicly in every {commune}.",
    "report.due": "Before {day}: results reported to the provincial Front's Standing Committee.",
    "report.part_results": "II. RESULTS",
    "report.results_general": "1. Overall",
    "report.as_of": "Figures as of {time} on {day}.",
    "report.overall": (
        "The {level} has {households} households in {communes} surveyed {commune}; {collected} "
        "forms were collected, {participation} of households; {valid} valid, {invalid} invalid."
    ),
    "report.thresholds": "Thresholds of the plan: {clauses}.",
    "report.threshold_participation": "participation at least {percent}",
    "report.threshold_district_participation": (
        "participation in the whole {level} at least {percent}"
    ),
    "report.threshold_question_min": (
        "every question {group} in every {commune} at least {percent}"
    ),
    "report.threshold_average": "questions {group} average at least {percent}",
    "report.threshold_overall": "question {overall} at least {percent}",
    "report.table_caption": "Results for the {district} and each {commune}",
    "report.col_number": "No.",
    "report.col_unit": "Unit",
    "report.col_households": "Households",
    "report.col_collected": "Forms collected",
    "report.col_participation": "Participation (≥ {percent})",
    "report.col_lowest": "Lowest of Q{group} (≥ {percent})",
    "report.col_average": "Q{group} average (≥ {percent})",
    "report.col_overall": "Question {overall} (≥ {percent})",
    "report.col_verdict": "Result",
    "report.district_row": "Whole {level}",
    "report.lowest": "{percent} (Q{question})",
    "report.unconfirmed": "{commune} not yet confirmed: {names}.",
    "report.shortfalls": "2. {commune} below a threshold",
    "report.no_shortfalls": "Every {commune} meets every threshold.",
    "report.shortfall_unit": "{level} {name}:",
    "report.no_figures": "no figures yet",
    "report.short_participation": "participation {figure} ({gap});",
    "report.short_question": "question {question} ({label}) {figure} ({gap});",
    "report.short_average": "questions {group} average {figure} ({gap});",
    "report.need_households": "{count} more households needed to reach {percent}",
    "report.need_forms": "{count} more satisfied forms needed to reach {percent}",
    "report.cannot_reach": "cannot reach {percent}",
    "report.part_recommendations": "III. HOUSEHOLDS' RECOMMENDATIONS",
    "report.recommendations_intro": "From the notes in each {hamlet}'s daily reports:",
    "report.recommendation": "{hamlet} ({day}): {note}",
    "report.no_recommendations": "No recommendation was recorded.",
    "report.part_assessment": "IV. ASSESSMENT",
    "report.assessment": "Against the plan's thresholds, the whole {level}: {clauses}.",
    "report.assess_participation": "participation — {verdict}",
    "report.assess_question_min": "every question {group} — {verdict}",
    "report.assess_average": "questions {group} average — {verdict}",
    "report.assess_overall": "question {overall} — {verdict}",
    "report.assessment_hint": "(Add comments, assessment and proposals before signing.)",
    "report.closing": "Respectfully reported by the Standing Committee, {level} {district}./.",
    "report.recipients": "Recipients:",
    "report.recipient_province": "- Provincial Fatherland Front Standing Committee (to report);",
    "report.recipient_local": "- Standing party and government of the {level};",
    "report.recipient_archive": "- Archive.",
    "report.signer": "FOR THE STANDING COMMITTEE",
    "report.signer_title": "CHAIRMAN",
    "report.sign_hint": "(Signature, full name, seal)",
}
