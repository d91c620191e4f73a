"""Bahasa Indonesia (formal *Anda*), the default language. Keys are the English source strings."""

CATALOG: dict[str, str] = {
    "Type at least {n} characters of an id (the code that lists show has 6).": (
        "Ketik paling sedikit {n} karakter id (kode yang tampil di daftar terdiri dari 6 karakter)."
    ),
    "No timer is running. Start one with: wfh start {task}": "Tidak ada pencatatan waktu yang sedang berjalan. Mulai dengan: wfh start {task}",
    "The database {path} is an SQLite file of another program. It was moved to {moved} (nothing was deleted); the next command starts a new, empty database.": "Basis data {path} adalah berkas SQLite milik program lain. Berkas itu dipindahkan ke {moved} (tidak ada yang dihapus); perintah berikutnya memulai basis data baru yang kosong.",
    "The date {text!r} is outside {first}-{last}; check the year.": "Tanggal {text!r} di luar rentang {first}-{last}; periksa tahunnya.",
    "The task so far: {progress}.": "Total tugas sejauh ini: {progress}.",
    "wfh: something went wrong inside wfh; nothing you stored was lost. Details are in {path}.": (
        "wfh: terjadi kesalahan di dalam wfh; data yang sudah tersimpan tidak hilang. "
        "Rinciannya ada di {path}."
    ),
    "MINUTES": "MENIT",
    "NOTE": "CATATAN",
    "NUMBER": "ANGKA",
    "OUTPUT": "HASIL",
    "SESSION": "SESI",
    "SETTING": "PENGATURAN",
    "TASK": "TUGAS",
    "TITLE": "JUDUL",
    "UNIT": "SATUAN",
    "VALUE": "NILAI",
    "finish": "selesai",
    "pause": "jeda",
    "quit": "keluar",
    "resume": "lanjutkan",
    "stop": "hentikan",
    "create a new task with this title, then start it": "buat tugas baru dengan judul ini, lalu mulai",
    "the task's title": "judul tugas",
    "volume of the output, such as 1": "volume hasil kerja, misalnya 1",
    "This session: {session}; the task so far: {progress}.": "Sesi ini: {session}; total tugas sejauh ini: {progress}.",
    "{title} has been running since {time}.": "{title} sudah berjalan sejak {time}.",
    "--target, --rhk, --output, --volume and --unit are for a new task (with --new); to change a task use 'wfh task edit'.": "--target, --rhk, --output, --volume, dan --unit hanya untuk tugas baru (dengan --new); untuk mengubah tugas gunakan 'wfh task edit'.",
    "The task {title!r} is not deleted, so there is nothing to restore.": "Tugas {title!r} tidak dihapus, jadi tidak ada yang perlu dipulihkan.",
    "This session is not deleted, so there is nothing to restore.": "Sesi ini tidak dihapus, jadi tidak ada yang perlu dipulihkan.",
    "%(prog)s: error: %(message)s\n": "%(prog)s: kesalahan: %(message)s\n",
    "a month, as 2026-11 or 11/2026 (default: this month)": (
        "satu bulan, misalnya 2026-11 atau 11/2026 (bawaan: bulan ini)"
    ),
    "a note": "catatan",
    "A session cannot end in the future.": "Akhir sesi tidak boleh melewati waktu sekarang.",
    "A task needs a title.": "Judul tugas wajib diisi.",
    "A task title can have at most {n} characters.": "Judul tugas paling banyak {n} karakter.",
    "A timer is already running on {title!r}.": "Pencatatan waktu untuk {title!r} sedang berjalan.",
    "Actual": "Realisasi",
    "Actual {actual} of {target}: on target.": "Realisasi {actual} dari {target}: sesuai target.",
    "Actual {actual} of {target}: {over} over target.": (
        "Realisasi {actual} dari {target}: melebihi target {over}."
    ),
    "add a session done without the timer": (
        "tambahkan sesi kerja secara manual, tanpa pencatatan waktu"
    ),
    "add a task with a time target": "tambahkan tugas dengan target waktu",
    "add, correct or delete work sessions by hand": (
        "tambah, koreksi, atau hapus sesi kerja secara manual"
    ),
    "add, list, edit, finish and delete tasks": (
        "tambah, tampilkan, ubah, selesaikan, dan hapus tugas"
    ),
    "all time": "seluruh periode",
    "ambiguous option: %(option)s could match %(matches)s": (
        "opsi ambigu: %(option)s dapat berarti %(matches)s"
    ),
    "Another timer is already running; stop it first.": (
        "Pencatatan waktu lain sedang berjalan; hentikan terlebih dahulu."
    ),
    "April": "April",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "August": "Agustus",
    "Cannot open the database {path}: {error}": "Basis data {path} tidak dapat dibuka: {error}",
    "Cannot read the date {text!r}: write it as 2026-11-02 or 02/11/2026.": (
        "Tanggal {text!r} tidak dapat dibaca: gunakan format 2026-11-02 atau 02/11/2026."
    ),
    "Cannot read the month {text!r}: write it as 2026-11 or 11/2026.": (
        "Bulan {text!r} tidak dapat dibaca: gunakan format 2026-11 atau 11/2026."
    ),
    "Cannot read the time {text!r}: write it as 08.00 or 08:00.": (
        "Jam {text!r} tidak dapat dibaca: gunakan format 08.00 atau 08:00."
    ),
    "Cannot read {text!r}: write a date and a time, such as 2026-11-02 08.00.": (
        "{text!r} tidak dapat dibaca: tulis tanggal dan jam, misalnya 2026-11-02 08.00."
    ),
    "change a setting": "ubah pengaturan",
    "change a task": "ubah tugas",
    "COMMAND": "PERINTAH",
    "correct a session": "koreksi sesi",
    "DATE": "TANGGAL",
    "Date": "Tanggal",
    "December": "Desember",
    "delete a session (it can be restored)": "hapus sesi (dapat dipulihkan)",
    "delete a task (it can be restored)": "hapus tugas (dapat dipulihkan)",
    "deleted": "dihapus",
    "done": "selesai",
    "Done: {title}.": "Selesai: {title}.",
    "Duration": "Durasi",
    "{elapsed} / {target} min": "{elapsed} / {target} mnt",
    "End": "Selesai",
    "end, the same way": "waktu selesai, dengan format yang sama",
    "expected at least one argument": "memerlukan paling sedikit satu argumen",
    "expected at most one argument": "hanya menerima paling banyak satu argumen",
    "expected one argument": "memerlukan satu argumen",
    "February": "Februari",
    "first day of a range": "hari pertama rentang",
    "Friday": "Jumat",
    "{h} h {m:02d} min": "{h} j {m:02d} mnt",
    "ID": "ID",
    "ignored explicit argument %r": "argumen eksplisit %r diabaikan",
    "In period": "Dalam periode",
    "include deleted tasks": "sertakan tugas yang dihapus",
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak valid: %(value)r",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "pilihan tidak valid: %(value)r (pilih dari %(choices)s)"
    ),
    "Its running timer was stopped.": (
        "Pencatatan waktu yang sedang berjalan pada tugas ini telah dihentikan."
    ),
    "January": "Januari",
    "July": "Juli",
    "June": "Juni",
    "Language must be id or en, not {value!r}.": "Bahasa harus id atau en, bukan {value!r}.",
    "language: id or en": "bahasa: id atau en",
    "last day of a range": "hari terakhir rentang",
    "{left} left": "sisa {left}",
    "list tasks": "tampilkan daftar tugas",
    "list work sessions of a day or a range": (
        "tampilkan sesi kerja pada satu hari atau satu rentang tanggal"
    ),
    "long": "terlalu lama",
    "manual": "manual",
    "March": "Maret",
    "mark a task done": "tandai tugas selesai",
    "May": "Mei",
    "Monday": "Senin",
    "MONTH": "BULAN",
    "move the session to another task": "pindahkan sesi ke tugas lain",
    "Name a task by its title or id.": "Tuliskan judul atau id tugas.",
    "new end": "waktu selesai baru",
    "new start": "waktu mulai baru",
    "new target in minutes (1-480)": "target baru dalam menit (1-480)",
    "new title": "judul baru",
    "no": "tidak",
    "No session has the id {ref!r}. See 'wfh log'.": (
        "Tidak ada sesi dengan id {ref!r}. Lihat 'wfh log'."
    ),
    "No sessions in this period.": "Tidak ada sesi pada periode ini.",
    "No task matches {ref!r}. See 'wfh task list'.": (
        "Tidak ada tugas yang cocok dengan {ref!r}. Lihat 'wfh task list'."
    ),
    'No tasks yet. Add one with: wfh task add "Menyusun laporan" --target 30': (
        'Belum ada tugas. Tambahkan dengan: wfh task add "Menyusun laporan" --target 30'
    ),
    "No timer is running and nothing is paused.": (
        "Tidak ada pencatatan waktu yang sedang berjalan atau dijeda."
    ),
    "No timer is running.": "Tidak ada pencatatan waktu yang sedang berjalan.",
    "No work recorded in this period.": "Tidak ada pekerjaan yang tercatat pada periode ini.",
    "not allowed with argument %s": "tidak boleh digunakan bersama argumen %s",
    "Note: this session is longer than 16 hours; check it is right.": (
        "Catatan: sesi ini lebih dari 16 jam; periksa apakah sudah benar."
    ),
    "Note: this session overlaps another one; check 'wfh log'.": (
        "Catatan: sesi ini tumpang tindih dengan sesi lain; periksa 'wfh log'."
    ),
    "Nothing is paused. Start a task with 'wfh start'.": (
        "Tidak ada tugas yang dijeda. Mulai tugas dengan 'wfh start'."
    ),
    "November": "November",
    "{n} min": "{n} mnt",
    "October": "Oktober",
    "office time zone for this command": "zona waktu kantor untuk perintah ini",
    "On target": "Sesuai target",
    "On-target rate: no task was finished in this period.": (
        "Tugas sesuai target: tidak ada tugas yang selesai pada periode ini."
    ),
    "On-target rate: {hit} of {n} finished tasks ({pct}%).": (
        "Tugas sesuai target: {hit} dari {n} tugas yang selesai ({pct}%)."
    ),
    "one day (default: today)": "satu hari (bawaan: hari ini)",
    "one of the arguments %s is required": "salah satu argumen %s wajib diisi",
    "only finished tasks": "hanya tugas yang sudah selesai",
    "only open tasks": "hanya tugas yang belum selesai",
    "open": "belum selesai",
    "open a finished task again": "buka kembali tugas yang sudah selesai",
    "options": "opsi",
    "overlaps": "tumpang tindih",
    "{over} over target ({pct}% of target)": "melebihi target {over} ({pct}% dari target)",
    "pause the running task": "jeda tugas yang sedang berjalan",
    "Paused: {title}": "Dijeda: {title}",
    "Paused: {title}. Resume with: wfh resume": "Dijeda: {title}. Lanjutkan dengan: wfh resume",
    "Per day": "Per hari",
    "Per month": "Per bulan",
    "Month": "Bulan",
    "Days worked": "Hari bekerja",
    "Finished": "Selesai",
    "Every day and every task: wfh report --all --detail": (
        "Rincian per hari dan per tugas: wfh report --all --detail"
    ),
    "with --all: every day and every task, not one line per month": (
        "dengan --all: setiap hari dan setiap tugas, bukan satu baris per bulan"
    ),
    "Per task": "Per tugas",
    "positional arguments": "argumen posisi",
    "print JSON, for scripts": "tampilkan dalam format JSON, untuk skrip",
    "{ref!r} matches more than one {kind}: {matches}. Type more of the id.": (
        "{ref!r} cocok dengan lebih dari satu {kind}: {matches}. Ketik id yang lebih lengkap."
    ),
    "Report, {period} ({zone})": "Laporan, {period} ({zone})",
    "restore a deleted session": "pulihkan sesi yang dihapus",
    "restore a deleted task": "pulihkan tugas yang dihapus",
    "resume the paused task": "lanjutkan tugas yang dijeda",
    "Resumed: {title} at {time}.": "Dilanjutkan: {title} pukul {time}.",
    "return a setting to its default": "kembalikan pengaturan ke nilai bawaan",
    "Run '{prog} --help' to see what you can type.": (
        "Jalankan '{prog} --help' untuk melihat perintah dan opsi yang tersedia."
    ),
    "running": "berjalan",
    "Running: {title}": "Berjalan: {title}",
    "Saturday": "Sabtu",
    "Say what to change, for example --title or --target.": (
        "Sebutkan yang ingin diubah, misalnya --title atau --target."
    ),
    "Say what to change: --start, --end, --task or --note.": (
        "Sebutkan yang ingin diubah: --start, --end, --task, atau --note."
    ),
    "Say what to do: wfh session add, edit, rm or restore.": (
        "Sebutkan tindakannya: wfh session add, edit, rm, atau restore."
    ),
    "September": "September",
    "session": "sesi",
    "Session added: {task}, {span} ({minutes}), id {code}.": (
        "Sesi ditambahkan: {task}, {span} ({minutes}), id {code}."
    ),
    "Session changed: {task}, {span} ({minutes}).": "Sesi diubah: {task}, {span} ({minutes}).",
    "Session deleted: {task}, {span}. Restore it with: wfh session restore {code}": (
        "Sesi dihapus: {task}, {span}. Pulihkan dengan: wfh session restore {code}"
    ),
    "Session restored: {task}, {span} ({minutes}).": "Sesi dipulihkan: {task}, {span} ({minutes}).",
    "Sessions, {period} ({zone})": "Sesi kerja, {period} ({zone})",
    "Setting saved: {key} = {value}": "Pengaturan disimpan: {key} = {value}",
    "show or change settings": "tampilkan atau ubah pengaturan",
    "show the running task against its target": (
        "tampilkan tugas yang sedang berjalan dibandingkan dengan targetnya"
    ),
    "show the running task live, with keys to pause, resume, stop and finish": (
        "tampilkan tugas yang sedang berjalan secara langsung, dengan tombol untuk jeda, "
        "lanjutkan, hentikan, dan selesai"
    ),
    "show the settings and where the files are": "tampilkan pengaturan dan lokasi berkas",
    "show the version and exit": "tampilkan versi lalu keluar",
    "show this help message and exit": "tampilkan pesan bantuan ini lalu keluar",
    "since {time}": "sejak {time}",
    "Start": "Mulai",
    "start the timer on a task": "mulai pencatatan waktu untuk tugas",
    "start, as '2026-11-02 08.00' or '02/11/2026 08:00'": (
        "waktu mulai, misalnya '2026-11-02 08.00' atau '02/11/2026 08:00'"
    ),
    "Started: {title} at {time} (target {target}).": (
        "Dimulai: {title} pukul {time} (target {target})."
    ),
    "Status": "Status",
    "stop the timer": "hentikan pencatatan waktu",
    "stop the timer and mark the task done": "hentikan pencatatan waktu dan tandai tugas selesai",
    "Stopped: {title}.": "Dihentikan: {title}.",
    "Sunday": "Minggu",
    "Target": "Target",
    "target in minutes for a new task": "target dalam menit untuk tugas baru",
    "target in minutes: 15, 30, 60 or any whole number 1-480": (
        "target dalam menit: 15, 30, 60, atau bilangan bulat lain dari 1 sampai 480"
    ),
    "Task": "Tugas",
    "task": "tugas",
    "Task added: {title} (target {target}), id {code}.": (
        "Tugas ditambahkan: {title} (target {target}), id {code}."
    ),
    "Task changed: {title} (target {target}).": "Tugas diubah: {title} (target {target}).",
    "Task deleted: {title}. Restore it with: wfh task restore {code}": (
        "Tugas dihapus: {title}. Pulihkan dengan: wfh task restore {code}"
    ),
    "Task done: {title}.": "Tugas selesai: {title}.",
    "Task open again: {title}.": "Tugas dibuka kembali: {title}.",
    "Task restored: {title}.": "Tugas dipulihkan: {title}.",
    "Tasks": "Jumlah tugas",
    "The database is busy (another WFH Desktop program is writing); try again.": (
        "Basis data sedang sibuk (program WFH Desktop lain sedang menulis); coba lagi."
    ),
    (
        "The database {path} is not a readable SQLite database. It was moved to {moved} (nothing "
        "was deleted); the next command starts a new, empty database."
    ): (
        "Basis data {path} bukan basis data SQLite yang dapat dibaca. Berkas itu dipindahkan ke "
        "{moved} (tidak ada yang dihapus); perintah berikutnya akan membuat basis data baru yang "
        "kosong."
    ),
    (
        "The database {path} was made by a newer version of WFH Desktop (schema {revision}). "
        "Update WFH Desktop; the database was not changed."
    ): (
        "Basis data {path} dibuat oleh versi WFH Desktop yang lebih baru (skema {revision}). "
        "Perbarui WFH Desktop; basis data tidak diubah."
    ),
    "The date {text!r} does not exist.": "Tanggal {text!r} tidak valid.",
    "The end must be after the start.": "Waktu selesai harus setelah waktu mulai.",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "The month {text!r} does not exist.": "Bulan {text!r} tidak valid.",
    "the new value": "nilai baru",
    "the output (hasil kerja), such as 'Laporan bulanan'": (
        "hasil kerja, misalnya 'Laporan bulanan'"
    ),
    "the planned work result (RHK) this task serves": (
        "Rencana Hasil Kerja (RHK) yang didukung tugas ini"
    ),
    "The range ends before it starts.": (
        "Rentang tanggal tidak valid: tanggal akhir sebelum tanggal awal."
    ),
    "the session id (see 'wfh log')": "id sesi (lihat 'wfh log')",
    "the setting": "nama pengaturan",
    "The target must be a whole number of minutes from 1 to 480, not {value!r}.": (
        "Target harus bilangan bulat dari 1 sampai 480 menit, bukan {value!r}."
    ),
    "The target must be from 1 to 480 minutes, not {value}.": (
        "Target harus 1 sampai 480 menit, bukan {value}."
    ),
    "The task was done; it is open again.": "Tugas ini sudah selesai; sekarang dibuka kembali.",
    "The task {title!r} is deleted.": "Tugas {title!r} sudah dihapus.",
    "the task: its title or id": "tugas: judul atau id-nya",
    "The time {text!r} does not exist.": "Jam {text!r} tidak valid.",
    "the unit of the output, such as 'dokumen'": "satuan hasil kerja, misalnya 'dokumen'",
    "The volume must be a number of zero or more, not {value!r}.": (
        "Volume harus berupa angka nol atau lebih, bukan {value!r}."
    ),
    "The volume must be a number, not {value!r}.": "Volume harus berupa angka, bukan {value!r}.",
    "the week (Monday to Sunday) holding DATE (default: this week)": (
        "pekan (Senin sampai Minggu) yang memuat TANGGAL (bawaan: pekan ini)"
    ),
    "This session belongs to someone else; only they can change it.": (
        "Sesi ini milik orang lain; hanya pemiliknya yang dapat mengubahnya."
    ),
    "Thursday": "Kamis",
    "time per task and per day against targets": (
        "waktu per tugas dan per hari dibandingkan dengan target"
    ),
    "Total worked: {total}": "Total waktu kerja: {total}",
    "Total: {total}": "Total: {total}",
    "Tuesday": "Selasa",
    "Unknown setting {name!r}.": "Pengaturan {name!r} tidak dikenal.",
    "Unknown time zone {zone}: use WIB, WITA or WIT.": (
        "Zona waktu {zone} tidak dikenal: gunakan WIB, WITA, atau WIT."
    ),
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "until {date}": "sampai {date}",
    "usage: ": "penggunaan: ",
    "Use either --from/--to or one of --day, --week, --month, --all.": (
        "Gunakan --from/--to atau salah satu dari --day, --week, --month, --all."
    ),
    "Wednesday": "Rabu",
    "WFH Desktop": "WFH Desktop",
    "WFH Desktop: time tracking for tasks with time targets.": (
        "WFH Desktop: pencatatan waktu untuk tugas dengan target waktu."
    ),
    "wfh: the settings file could not be read; it was moved to {path} and the defaults are used.": (
        "wfh: berkas pengaturan tidak dapat dibaca; berkas dipindahkan ke {path} dan pengaturan "
        "bawaan digunakan."
    ),
    "WHEN": "WAKTU",
    "Worked": "Waktu kerja",
    "yes": "ya",
    "&Finish": "&Selesai",
    "&Pause": "&Jeda",
    "&Resume": "&Lanjutkan",
    "&Start a task…": "&Mulai tugas…",
    "A running timer keeps counting while the app is closed.": "Pengatur waktu yang berjalan tetap menghitung selama aplikasi ditutup.",
    "Cancel": "Batal",
    "Create and start": "Buat dan mulai",
    "Far over target": "Jauh melebihi target",
    "Finish": "Selesai",
    "Keep running and quit": "Biarkan berjalan dan keluar",
    "Matching tasks": "Tugas yang cocok",
    "New task with a target of:": "Tugas baru dengan target:",
    "New task, {n} minutes": "Tugas baru, {n} menit",
    "No task running": "Tidak ada tugas yang berjalan",
    "Open the main window": "Buka jendela utama",
    "Other target in minutes": "Target lain dalam menit",
    "Pause": "Jeda",
    "Progress": "Progres",
    "Progress against target": "Progres terhadap target",
    "Progress of {title}": "Progres {title}",
    "Quit": "Keluar",
    "Quit WFH Desktop": "Keluar dari WFH Desktop",
    "Resume": "Lanjutkan",
    "S&top": "&Hentikan",
    "Search tasks": "Cari tugas",
    "Settings…": "Pengaturan…",
    "Something went wrong inside WFH Desktop; nothing you stored was lost. Details are in {path}.": "Terjadi kesalahan di dalam WFH Desktop; tidak ada data Anda yang hilang. Rinciannya ada di {path}.",
    "Something went wrong; nothing you stored was lost.": "Terjadi kesalahan; tidak ada data Anda yang hilang.",
    "Start a task": "Mulai tugas",
    "Start a task from the list below, or with “Start a task…”.": "Mulai tugas dari daftar di bawah, atau dengan “Mulai tugas…”.",
    "Start a task…": "Mulai tugas…",
    "Start {title}": "Mulai {title}",
    "Start: {title}": "Mulai: {title}",
    "Stop": "Hentikan",
    "Stop and quit": "Hentikan dan keluar",
    "Target reached": "Target tercapai",
    "This desktop has no system tray, so WFH Desktop lives in this window. Closing it quits the app; a running timer keeps running.": "Desktop ini tidak memiliki baki sistem (system tray), jadi WFH Desktop tinggal di jendela ini. Menutupnya akan menutup aplikasi; pengatur waktu yang berjalan tetap berjalan.",
    "Time against target": "Waktu terhadap target",
    "Today's tasks": "Tugas hari ini",
    "Today, {date}": "Hari ini, {date}",
    "Type to search, or a new task's title": "Ketik untuk mencari, atau judul tugas baru",
    "WFH Desktop menu": "Menu WFH Desktop",
    "WFH Desktop, in the tray": "WFH Desktop, di baki sistem",
    "WFH Desktop: no task running": "WFH Desktop: tidak ada tugas yang berjalan",
    "language of the app": "bahasa aplikasi",
    "min": "mnt",
    "open the main window at start": "buka jendela utama saat mulai",
    "wfh-desktop: there is no screen here (no DISPLAY or WAYLAND_DISPLAY). In a terminal, use the wfh command: wfh start, wfh status, wfh watch.": "wfh-desktop: tidak ada layar di sini (tidak ada DISPLAY atau WAYLAND_DISPLAY). Di terminal, gunakan perintah wfh: wfh start, wfh status, wfh watch.",
    "{name} must be true or false, not {value!r}.": "{name} harus true atau false, bukan {value!r}.",
    "{title}  ({target} min)": "{title}  ({target} mnt)",
    "{title} has reached its target of {n} min.": "{title} telah mencapai targetnya, {n} mnt.",
    "{title} is 50% over its target of {n} min.": "{title} sudah 50% melebihi targetnya, {n} mnt.",
    "{title} is still running. Keep its timer running?": "{title} masih berjalan. Biarkan pengatur waktunya tetap berjalan?",
    "start this task (its title or id), in the app": "mulai tugas ini (judul atau id-nya) di aplikasi",
    "WFH Desktop is already running; your request was passed to it.": "WFH Desktop sudah berjalan; permintaan Anda diteruskan kepadanya.",
    "WFH Desktop seems to be running but does not answer; try again.": "WFH Desktop tampaknya berjalan tetapi tidak menjawab; coba lagi.",
    "Settings": "Pengaturan",
    "As the system (else Bahasa Indonesia)": "Ikuti sistem (jika tidak, Bahasa Indonesia)",
    "&Language": "&Bahasa",
    "Office &time zone": "&Zona waktu kantor",
    "Default &target": "&Target bawaan",
    "Tell me when a running task reaches its target": "Beri tahu saya saat tugas yang berjalan mencapai targetnya",
    "Tell me when it goes 50% over its target": "Beri tahu saya saat tugas itu melebihi targetnya 50%",
    "Start WFH Desktop when I log in": "Jalankan WFH Desktop saat saya masuk ke komputer",
    "&Server address": "Alamat &server",
    "Used for syncing with your agency; leave it empty to work locally.": "Dipakai untuk sinkronisasi dengan instansi Anda; kosongkan untuk bekerja secara lokal.",
    "Save": "Simpan",
    "The settings could not be saved: {error}": "Pengaturan tidak dapat disimpan: {error}",
    "Settin&gs…": "Pen&gaturan…",
    "Add sessio&n": "Tam&bah sesi",
    "&Delete session": "Hapus s&esi",
    "&End": "&Selesai",
    "Open aga&in": "Buka &kembali",
    "&Output": "&Hasil kerja",
    "&Save changes": "&Simpan perubahan",
    "&Start": "&Mulai",
    "&Title": "&Judul",
    "&Today": "Hari &ini",
    "&Undo": "&Urungkan",
    "&Volume": "&Volume",
    "A session done without the timer, or a correction": "Sesi yang dikerjakan tanpa pengatur waktu, atau koreksi",
    "All": "Semua",
    "Check": "Perlu dicek",
    "Choose the task first.": "Pilih tugasnya terlebih dahulu.",
    "Daily &log": "Cat&atan harian",
    "Day": "Hari",
    "D&elete": "Ha&pus",
    "Deleted: {task}, {start}": "Dihapus: {task}, {start}",
    "Deleted: {title}": "Dihapus: {title}",
    "Done": "Selesai",
    "Edit the task": "Ubah tugas",
    "Mark &done": "Tandai se&lesai",
    "N&ote": "&Catatan",
    "Next day": "Hari berikutnya",
    "Note": "Catatan",
    "Open": "Belum selesai",
    "Output": "Hasil kerja",
    "Previous day": "Hari sebelumnya",
    "Save c&hanges": "Simpan &perubahan",
    "Search titles": "Cari judul",
    "Sessions of the day": "Sesi hari itu",
    "Show": "Tampilkan",
    "Showing the newest {n} tasks; search to find older ones.": "Menampilkan {n} tugas terbaru; gunakan pencarian untuk tugas yang lebih lama.",
    "T&ask": "Tu&gas",
    "Tar&get": "Tar&get",
    "Tas&ks": "&Tugas",
    "Toda&y": "Ha&ri ini",
    "U&nit": "Satua&n",
    "Unit": "Satuan",
    "Volume": "Volume",
    "Worked: {total}": "Waktu kerja: {total}",
    "Close": "Tutup",
    "started at login: wait a few seconds for the system tray to come up": "dijalankan saat masuk: tunggu beberapa detik sampai baki sistem muncul",
    "The settings were saved, but start at login could not be changed: {error}": "Pengaturan sudah disimpan, tetapi jalankan saat masuk tidak dapat diubah: {error}",
    "WFH Desktop's central server": "Server pusat WFH Desktop",
    "language of the messages": "bahasa pesan",
    "create or upgrade the database": "buat atau perbarui basis data",
    "serve the API": "jalankan API",
    "address to listen on": "alamat yang didengarkan",
    "port to listen on": "port yang didengarkan",
    "worker processes": "jumlah proses pekerja",
    "log every request (the reverse proxy usually does; it costs CPU)": (
        "catat setiap permintaan (biasanya sudah dicatat reverse proxy; memakan CPU)"
    ),
    "organisations": "organisasi",
    "add an organisation": "tambah organisasi",
    "its id (default: made up)": "id-nya (bawaan: dibuatkan)",
    "list the organisations": "daftar organisasi",
    "work units": "unit kerja",
    "add a work unit": "tambah unit kerja",
    "the organisation (id or name)": "organisasinya (id atau nama)",
    "users": "pengguna",
    "add a user; prints an initial password": "tambah pengguna; menampilkan kata sandi awal",
    "the 18-digit NIP": "NIP 18 digit",
    "the full name": "nama lengkap",
    "the work unit (id or name)": "unit kerjanya (id atau nama)",
    "the e-mail address": "alamat e-mail",
    "add users from a CSV file (nip,name,unit,email)": "tambah pengguna dari berkas CSV (nip,name,unit,email)",
    "check the file, store nothing": "periksa berkasnya saja, tanpa menyimpan",
    "give a user a new initial password": "beri pengguna kata sandi awal yang baru",
    "stop a user from signing in and syncing": "hentikan pengguna masuk dan menyinkronkan",
    "NIP or e-mail": "NIP atau e-mail",
    "the organisation, when the NIP is in several": "organisasinya, bila NIP itu ada di beberapa organisasi",
    "devices": "perangkat",
    "list devices": "daftar perangkat",
    "only this user's (NIP or e-mail)": "hanya milik pengguna ini (NIP atau e-mail)",
    "stop a device from syncing": "hentikan perangkat menyinkronkan",
    "The database is at revision {rev} ({url}).": "Basis data pada revisi {rev} ({url}).",
    "The database is not set up yet: run 'wfh-server migrate' first.": "Basis data belum disiapkan: jalankan 'wfh-server migrate' dahulu.",
    "Organisation {name} added, id {id}.": "Organisasi {name} ditambahkan, id {id}.",
    "Unit {name} added, id {id}.": "Unit {name} ditambahkan, id {id}.",
    "User {name} ({nip}) added.": "Pengguna {name} ({nip}) ditambahkan.",
    "Initial password: {password}  (to be changed at first sign-in)": "Kata sandi awal: {password}  (diganti saat pertama masuk)",
    "New initial password for {name}: {password}": "Kata sandi awal baru untuk {name}: {password}",
    "{name} ({nip}) can no longer sign in or sync.": "{name} ({nip}) tidak dapat lagi masuk atau menyinkronkan.",
    "No devices.": "Tidak ada perangkat.",
    "revoked": "dicabut",
    "active": "aktif",
    "Device {id} can no longer sync.": "Perangkat {id} tidak dapat lagi menyinkronkan.",
    "Cannot read {path}: {error}": "Tidak dapat membaca {path}: {error}",
    "line {n}: {message}": "baris {n}: {message}",
    "{n} lines are wrong; nothing was imported.": "{n} baris salah; tidak ada yang diimpor.",
    "The file is fine: {n} users would be added (dry run; nothing stored).": "Berkas sudah benar: {n} pengguna akan ditambahkan (uji coba; tidak ada yang disimpan).",
    "{n} users added. Their initial passwords (to be changed at first sign-in):": "{n} pengguna ditambahkan. Kata sandi awal mereka (diganti saat pertama masuk):",
    "A NIP must be 18 digits, not {nip!r}.": "NIP harus 18 digit, bukan {nip!r}.",
    "The NIP {nip} does not start with a birth date (YYYYMMDD).": "NIP {nip} tidak diawali tanggal lahir (TTTTBBHH).",
    "{email!r} is not an e-mail address.": "{email!r} bukan alamat e-mail.",
    "The {what} needs a name.": "{what} perlu nama.",
    "A name can have at most {n} characters.": "Nama paling banyak {n} karakter.",
    "An organisation with the id {id} already exists.": "Organisasi dengan id {id} sudah ada.",
    "No organisation {ref!r}. See 'wfh-server org list'.": "Tidak ada organisasi {ref!r}. Lihat 'wfh-server org list'.",
    "The unit {name!r} already exists.": "Unit {name!r} sudah ada.",
    "No unit {ref!r} in this organisation.": "Tidak ada unit {ref!r} di organisasi ini.",
    "A user with NIP {nip} already exists ({name}).": "Pengguna dengan NIP {nip} sudah ada ({name}).",
    "The file is not valid CSV: {error}": "Berkas ini bukan CSV yang sah: {error}",
    "The file is empty.": "Berkasnya kosong.",
    "The first line must name the columns nip, name, unit (and email); missing: {missing}.": "Baris pertama harus menyebut kolom nip, name, unit (dan email); yang kurang: {missing}.",
    "The NIP {nip} is also on line {line}.": "NIP {nip} juga ada di baris {line}.",
    "No user has the NIP or e-mail {ref!r}.": "Tidak ada pengguna dengan NIP atau e-mail {ref!r}.",
    "{ref!r} is a user in more than one organisation; name it with --org.": "{ref!r} adalah pengguna di lebih dari satu organisasi; sebutkan dengan --org.",
    "No device has the id {id!r}. See 'wfh-server device list'.": "Tidak ada perangkat dengan id {id!r}. Lihat 'wfh-server device list'.",
    "organisation": "organisasi",
    "unit": "unit",
    "user": "pengguna",
    "This session's task {title!r} is deleted; restore the task first.": "Tugas sesi ini, {title!r}, sudah dihapus; pulihkan tugasnya terlebih dahulu.",
    "An id is 1 to {n} letters, digits, - or _, not {id!r}.": "Id berisi 1 sampai {n} huruf, angka, - atau _, bukan {id!r}.",
    "An organisation named {name!r} already exists.": "Organisasi bernama {name!r} sudah ada.",
    "More than one organisation is named {ref!r}; use its id.": "Lebih dari satu organisasi bernama {ref!r}; gunakan id-nya.",
    "{name} already has the e-mail {email}.": "{name} sudah memakai e-mail {email}.",
    "the database refused it: {error}": "basis data menolaknya: {error}",
    "The device id {id} is in more than one organisation; name it with --org.": "Id perangkat {id} ada di lebih dari satu organisasi; sebutkan dengan --org.",
    "the organisation, when the id is in several": "organisasinya, bila id itu ada di beberapa organisasi",
    "wfh-server: the database cannot be used: {error}": "wfh-server: basis data tidak dapat dipakai: {error}",
    "wfh-server: {error}": "wfh-server: {error}",
    "Time tracking with targets": "Pencatatan waktu dengan target",
    "New epoch {epoch} for {name}.": "Epoch baru {epoch} untuk {name}.",
    "Removed {removed} old deletions, pruned {pruned} mutation log rows, flagged {flagged} timers whose device has gone quiet.": "{removed} penghapusan lama dibersihkan, {pruned} baris log mutasi dipangkas, {flagged} pencatatan waktu berjalan yang perangkatnya tidak lagi terlihat ditandai.",
    "after restoring a backup: clients push their changes again": "setelah memulihkan cadangan: klien mengirim ulang perubahannya",
    "daily housekeeping: old deletions, the mutation log, stale timers": "perawatan harian: penghapusan lama, log mutasi, pencatatan waktu berjalan yang belum terkonfirmasi",
    "sign in to your agency's server and sync": "masuk ke server instansi Anda dan sinkronkan",
    "sign out; everything tracked stays on this computer": "keluar; semua catatan tetap ada di komputer ini",
    "sync with the server now": "sinkronkan dengan server sekarang",
    "ADDRESS": "ALAMAT",
    "the server, as https://…": "servernya, seperti https://…",
    "NIP": "NIP",
    "your NIP or e-mail (asked if not given)": "NIP atau e-mail Anda (ditanyakan bila tidak diberikan)",
    "ORG": "ORG",
    "your organisation, when your NIP is in several": "organisasi Anda, bila NIP Anda ada di beberapa organisasi",
    "FILE": "BERKAS",
    "your agency's certificate authority file, besides the system's": "berkas otoritas sertifikat instansi Anda, selain milik sistem",
    "show the sync state without connecting": "tampilkan keadaan sinkronisasi tanpa terhubung",
    "the setting: language, office_zone, default_target_minutes, server_url, ca_file": "nama pengaturan: language, office_zone, default_target_minutes, server_url, ca_file",
    "Synced: {sent} changes sent, {received} received.": "Tersinkron: {sent} perubahan dikirim, {received} diterima.",
    "Give the server's address: wfh login --server https://…": "Sebutkan alamat server: wfh login --server https://…",
    "Signed out. Everything you tracked stays on this computer.": "Anda sudah keluar. Semua yang Anda catat tetap ada di komputer ini.",
    "Changes waiting to be sent: {n}": "Perubahan yang menunggu dikirim: {n}",
    "No password was given.": "Kata sandi tidak diberikan.",
    "The server refused {n} changes; see 'wfh sync --status' and fix them.": "Server menolak {n} perubahan; lihat 'wfh sync --status' dan perbaiki.",
    "Password: ": "Kata sandi: ",
    "Signed in as {name} (NIP {nip}), {unit}, at {server}.": "Masuk sebagai {name} (NIP {nip}), {unit}, di {server}.",
    "Warning: {n} changes are not yet on the server; they are sent after you sign in again.": "Perhatian: {n} perubahan belum ada di server; perubahan itu dikirim setelah Anda masuk lagi.",
    "Server: {url}": "Server: {url}",
    "Account: {account}": "Akun: {account}",
    "Last synced: {when}": "Terakhir tersinkron: {when}",
    "Changes the server refused: {n}": "Perubahan yang ditolak server: {n}",
    "Sessions to review: {n}": "Sesi yang perlu ditinjau: {n}",
    "Last problem: {error}": "Masalah terakhir: {error}",
    "This computer's clock is {minutes} minutes off the server's; correct it.": "Jam komputer ini berselisih {minutes} menit dari jam server; betulkan jamnya.",
    "This computer has no keyring to keep the sign-in safely, so you will be asked for your password again next time.": "Komputer ini tidak punya keyring untuk menyimpan sesi masuk dengan aman, jadi kata sandi Anda akan ditanyakan lagi lain kali.",
    "This computer's earlier work now belongs to your account and is sent now.": "Pekerjaan sebelumnya di komputer ini kini menjadi milik akun Anda dan dikirim sekarang.",
    "Sending changes: {done} of {total}": "Mengirim perubahan: {done} dari {total}",
    "New password: ": "Kata sandi baru: ",
    "New password again: ": "Ulangi kata sandi baru: ",
    "The two new passwords differ; nothing was changed.": "Kedua kata sandi baru berbeda; tidak ada yang diubah.",
    "Downloading everything again: {done} records": "Mengunduh ulang semuanya: {done} catatan",
    "NIP or e-mail: ": "NIP atau e-mail: ",
    "The server address must look like https://wfh.example.go.id, not {url!r}.": "Alamat server harus seperti https://wfh.example.go.id, bukan {url!r}.",
    "The certificate file {path} does not exist.": "Berkas sertifikat {path} tidak ada.",
    "The server address must start with https://; plain http:// is only for a server on this computer.": "Alamat server harus diawali https://; http:// biasa hanya untuk server di komputer ini.",
    "Wrong NIP, e-mail or password.": "NIP, e-mail, atau kata sandi salah.",
    "Too many failed sign-ins: wait {seconds} s and try again.": "Terlalu banyak percobaan masuk yang gagal: tunggu {seconds} detik lalu coba lagi.",
    "This NIP or e-mail is in more than one organisation: give yours with --org.": "NIP atau e-mail ini ada di lebih dari satu organisasi: sebutkan organisasi Anda dengan --org.",
    "This computer's data is registered to another account on this server; sign in with that account.": "Data komputer ini terdaftar pada akun lain di server ini; masuklah dengan akun tersebut.",
    "The new password is too weak: {detail}": "Kata sandi baru terlalu lemah: {detail}",
    "The current password is wrong.": "Kata sandi saat ini salah.",
    "Sign in to sync ('wfh login'); your work is kept.": "Masuk untuk menyinkronkan ('wfh login'); pekerjaan Anda tetap tersimpan.",
    "Your sign-in has expired. Sign in again to sync ('wfh login'); your work is kept.": "Sesi masuk Anda sudah habis. Masuk lagi untuk menyinkronkan ('wfh login'); pekerjaan Anda tetap tersimpan.",
    "No server is set: this computer keeps your work locally. To sync, sign in with 'wfh login --server ADDRESS'.": "Belum ada server: komputer ini menyimpan pekerjaan Anda secara lokal. Untuk sinkronisasi, masuk dengan 'wfh login --server ALAMAT'.",
    "This computer's data syncs with {bound}, not {url}.": "Data komputer ini tersinkron dengan {bound}, bukan {url}.",
    "This is your initial password: choose a new one (at least 10 characters).": "Ini kata sandi awal Anda: pilih kata sandi baru (paling sedikit 10 karakter).",
    "This computer's data belongs to {name} ({nip}); sign in with that account, or use another data folder (WFH_HOME) for another person.": "Data komputer ini milik {name} ({nip}); masuklah dengan akun itu, atau pakai folder data lain (WFH_HOME) untuk orang lain.",
    "The server's answer was not understood; nothing was marked as sent.": "Jawaban server tidak dapat dipahami; tidak ada yang ditandai terkirim.",
    "Another computer uses a copy of this computer's data. Sign in again ('wfh login') to register this one anew; your work is kept.": "Komputer lain memakai salinan data komputer ini. Masuk lagi ('wfh login') untuk mendaftarkan komputer ini sebagai perangkat baru; pekerjaan Anda tetap tersimpan.",
    "There is no WFH Desktop server at this address. Check the address your agency gave.": "Tidak ada server WFH Desktop di alamat ini. Periksa alamat yang diberikan instansi Anda.",
    "The server had a problem (HTTP {status}); it will be tried again later.": "Server mengalami masalah (HTTP {status}); akan dicoba lagi nanti.",
    "The server refused the request: {detail}": "Server menolak permintaan: {detail}",
    "The server asked to wait {seconds} s before the next sync.": "Server meminta menunggu {seconds} detik sebelum sinkronisasi berikutnya.",
    "The server needs a newer WFH Desktop. Your work is kept on this computer; update the app to sync it.": "Server memerlukan WFH Desktop yang lebih baru. Pekerjaan Anda tetap tersimpan di komputer ini; perbarui aplikasi untuk menyinkronkannya.",
    "This computer was signed out by your agency's administrator. Sign in again ('wfh login'); your work is kept.": "Komputer ini dikeluarkan oleh administrator instansi Anda. Masuk lagi ('wfh login'); pekerjaan Anda tetap tersimpan.",
    "Your account is disabled. Ask your agency's administrator; your work is kept on this computer.": "Akun Anda dinonaktifkan. Hubungi administrator instansi Anda; pekerjaan Anda tetap tersimpan di komputer ini.",
    "You must change your initial password first: sign in again with 'wfh login'.": "Anda harus mengganti kata sandi awal terlebih dahulu: masuk lagi dengan 'wfh login'.",
    "Sign in again to sync ('wfh login'); your work is kept.": "Masuk lagi untuk menyinkronkan ('wfh login'); pekerjaan Anda tetap tersimpan.",
    "The server cannot be reached (offline?); your work is kept and will be sent later.": "Server tidak dapat dihubungi (luring?); pekerjaan Anda tetap tersimpan dan akan dikirim nanti.",
    "The server answered with a web page instead of data (a Wi-Fi or office sign-in page?); nothing was marked as sent.": "Server menjawab dengan halaman web, bukan data (halaman masuk Wi-Fi atau kantor?); tidak ada yang ditandai terkirim.",
    "The server {host} could not be found. Check the address, or the network.": "Server {host} tidak ditemukan. Periksa alamatnya, atau jaringannya.",
    "The server's answer was not understood (HTTP {status}); nothing was marked as sent.": "Jawaban server tidak dapat dipahami (HTTP {status}); tidak ada yang ditandai terkirim.",
    "The server's certificate is not trusted ({error}). If your agency uses its own certificate authority, give its file: “Certificate file” when signing in, or wfh login --ca-file.": "Sertifikat server tidak dipercaya ({error}). Bila instansi Anda memakai otoritas sertifikat sendiri, berikan berkasnya: “Berkas sertifikat” saat masuk, atau wfh login --ca-file.",
    "The secure connection to the server failed: {error}": "Sambungan aman ke server gagal: {error}",
    "The certificate file {path} cannot be used: {error}": "Berkas sertifikat {path} tidak dapat dipakai: {error}",
    "The server's answer arrived damaged (cut short); it will be tried again.": "Jawaban server tiba dalam keadaan rusak (terpotong); akan dicoba lagi.",
    "The server did not answer in time; it will be tried again.": "Server tidak menjawab tepat waktu; akan dicoba lagi.",
    "The connection to the server failed ({error}); it will be tried again.": "Sambungan ke server gagal ({error}); akan dicoba lagi.",
    "The server's answer was too large ({mb} MB or more); nothing was marked as sent.": "Jawaban server terlalu besar ({mb} MB atau lebih); tidak ada yang ditandai terkirim.",
    "Synced": "Tersinkron",
    "Waiting to send {n} changes": "Menunggu sinkronisasi: {n} perubahan",
    "Synced at {when}": "Tersinkron pada {when}",
    "Local only: no server is set.": "Hanya lokal: belum ada server.",
    "Offline: {n} changes wait to be sent": "Luring: {n} perubahan menunggu dikirim",
    "Sign-in needed": "Perlu masuk",
    "Update needed: the server needs a newer WFH Desktop": "Perlu pembaruan: server memerlukan WFH Desktop yang lebih baru",
    "Sync failed": "Sinkronisasi gagal",
    "Sign out? Everything you tracked stays on this computer.": "Keluar dari akun? Semua yang Anda catat tetap ada di komputer ini.",
    "Sign out of the account": "Keluar dari akun",
    "{n} changes are not yet on the server; they are sent after you sign in again.": "{n} perubahan belum ada di server; perubahan itu dikirim setelah Anda masuk lagi.",
    "Sync now": "Sinkronkan sekarang",
    "Sign in to the server…": "Masuk ke server…",
    "Sign in to the server": "Masuk ke server",
    "Sign in with the account your agency gave you. What you tracked on this computer before is sent to your account.": "Masuk dengan akun yang diberikan instansi Anda. Yang sudah Anda catat di komputer ini dikirim ke akun Anda.",
    "NIP (18 digits) or e-mail": "NIP (18 digit) atau e-mail",
    "&NIP or e-mail": "&NIP atau e-mail",
    "&Password": "&Kata sandi",
    "Signing in…": "Sedang masuk…",
    "Sign in": "Masuk",
    "N&ew password": "Kata sandi &baru",
    "New password &again": "&Ulangi kata sandi baru",
    "Type your NIP or e-mail.": "Ketik NIP atau e-mail Anda.",
    "Type your password.": "Ketik kata sandi Anda.",
    "Syncing…": "Menyinkronkan…",
    "what the server decided that you should look at (Perlu ditinjau)": "yang diputuskan server dan perlu Anda lihat (Perlu ditinjau)",
    "KEY": "KUNCI",
    "mark these items as looked at ('all': every item listed)": "tandai butir ini sudah ditinjau ('all': semua butir yang tercantum)",
    "Correct a session with 'wfh session edit'; then: wfh review --seen KEY (or all).": "Betulkan sesi dengan 'wfh session edit'; lalu: wfh review --seen KUNCI (atau all).",
    "No item to review has the key {key}; see 'wfh review'.": "Tidak ada butir tinjauan dengan kunci {key}; lihat 'wfh review'.",
    "Marked as looked at: {n}": "Ditandai sudah ditinjau: {n}",
    "Nothing to review.": "Tidak ada yang perlu ditinjau.",
    "key": "kunci",
    "A newer change from another computer won: {field} is {won}; yours was {lost}.": "Perubahan yang lebih baru dari komputer lain menang: {field} menjadi {won}; milik Anda {lost}.",
    "This session overlaps another of your sessions.": "Sesi ini tumpang tindih dengan sesi Anda yang lain.",
    "This session is longer than 16 hours.": "Sesi ini lebih dari 16 jam.",
    "This session started in the future by the server's clock.": "Menurut jam server, sesi ini dimulai di masa depan.",
    "This computer's clock was more than 2 minutes off when this was recorded.": "Jam komputer ini berselisih lebih dari 2 menit saat ini dicatat.",
    "The server did not know this session's task when it arrived.": "Server belum mengenal tugas sesi ini saat sesi itu tiba.",
    "This timer runs on a computer the server has not heard from for over 12 hours: is it still running?": "Pencatatan waktu ini berjalan di komputer yang lebih dari 12 jam tidak menghubungi server: apakah masih berjalan?",
    "This session was already stopped at {won} on another computer; your stop at {lost} was not used.": "Sesi ini sudah dihentikan pukul {won} di komputer lain; penghentian Anda pukul {lost} tidak dipakai.",
    "An earlier stop from another computer won: the session ends at {won}, not {lost}.": "Penghentian yang lebih awal dari komputer lain menang: sesi berakhir pukul {won}, bukan {lost}.",
    "This session was deleted on another computer; your change to it is kept in case it is restored.": "Sesi ini sudah dihapus di komputer lain; perubahan Anda padanya disimpan bila sesi dipulihkan.",
    "empty": "kosong",
    "The server refused this change ({code}): {detail}": "Server menolak perubahan ini ({code}): {detail}",
    "the start": "waktu mulai",
    "the end": "waktu selesai",
    "the note": "catatan",
    "the task": "tugas",
    "the title": "judul",
    "the target": "target",
    "This timer was stopped because you started another one on another computer.": "Pencatatan waktu ini dihentikan karena Anda memulai yang lain di komputer lain.",
    "{n} items to review: see “Perlu ditinjau” in the main window.": "{n} butir perlu ditinjau: lihat “Perlu ditinjau” di jendela utama.",
    "To review": "Perlu ditinjau",
    "To re&view": "Perlu &ditinjau",
    "To re&view ({n})": "Perlu &ditinjau ({n})",
    "Items to review": "Butir yang perlu ditinjau",
    "&Mark as looked at": "Ta&ndai sudah ditinjau",
    "Mark &all as looked at": "Tandai se&mua sudah ditinjau",
    "Correct a session in the daily log; then mark its item here.": "Betulkan sesi di Catatan harian; lalu tandai butirnya di sini.",
    "When": "Waktu",
    "What happened": "Yang terjadi",
    "Something went wrong while syncing; nothing you stored was lost. It is tried again later.": "Terjadi kesalahan saat sinkronisasi; tidak ada yang Anda simpan yang hilang. Akan dicoba lagi nanti.",
    "The server is missing changes that this computer no longer keeps (a server restored from an old backup, or a damaged local database?). Tell your agency's administrator; your work is kept.": "Server tidak memiliki perubahan yang sudah tidak disimpan lagi di komputer ini (server dipulihkan dari cadangan lama, atau basis data lokal rusak?). Beri tahu administrator instansi Anda; pekerjaan Anda tetap tersimpan.",
    "waiting for an answer": "menunggu jawaban",
    "accepted": "diterima",
    "declined": "ditolak",
    "(not yet known)": "(belum diketahui)",
    "{code}  {title}: from {giver} to {taker}, {when}": "{code}  {title}: dari {giver} kepada {taker}, {when}",
    "Handed over: {title} to {who}.": "Diserahterimakan: {title} kepada {who}.",
    "Tasks handed to you (Tugas masuk):": "Tugas yang diserahkan kepada Anda (Tugas masuk):",
    "Accepted: {title}. Start its timer with 'wfh start' when you continue it.": "Diterima: {title}. Mulai pengatur waktunya dengan 'wfh start' saat Anda melanjutkannya.",
    "Declined: {title}; it goes back to {who}.": "Ditolak: {title}; tugas kembali kepada {who}.",
    "Note: {note}": "Catatan: {note}",
    "Answer: {status}": "Jawaban: {status}",
    "The server has it.": "Server sudah menerimanya.",
    "No task handed to you is waiting for an answer.": "Tidak ada tugas yang diserahkan kepada Anda yang menunggu jawaban.",
    'Answer with: wfh accept ID, or wfh decline ID --reason "…"': 'Jawab dengan: wfh accept ID, atau wfh decline ID --reason "…"',
    "No colleague found. Sign in and search by name, unit or NIP.": "Rekan kerja tidak ditemukan. Masuk ke server lalu cari menurut nama, unit kerja, atau NIP.",
    "This task was never handed over.": "Tugas ini belum pernah diserahterimakan.",
    "Time on this task, by person:": "Waktu pada tugas ini, per orang:",
    "Reason: {reason}": "Alasan: {reason}",
    "Time already spent on it: {minutes} min": "Waktu yang sudah dipakai: {minutes} menit",
    "It is sent when you sign in and sync ('wfh login').": "Akan dikirim setelah Anda masuk dan menyinkronkan ('wfh login').",
    "The server refused it; see 'wfh review' for what it said and what to do.": "Server menolaknya; lihat 'wfh review' untuk alasannya dan apa yang perlu dilakukan.",
    "It is sent on the next sync: {reason}": "Akan dikirim pada sinkronisasi berikutnya: {reason}",
    "never": "belum pernah",
    "Name": "Nama",
    "{who}: {minutes} min": "{who}: {minutes} menit",
    "The directory could not be fetched ({reason}); shown as kept here (fetched {when}).": "Direktori tidak dapat diambil ({reason}); ditampilkan yang tersimpan di sini (diambil {when}).",
    "(you)": "(Anda)",
    "hand a task over to a colleague (Serah terima tugas)": "serahkan tugas kepada rekan kerja (Serah terima tugas)",
    "tasks handed to you (Tugas masuk)": "tugas yang diserahkan kepada Anda (Tugas masuk)",
    "accept a task handed to you": "terima tugas yang diserahkan kepada Anda",
    "decline a task handed to you; it goes back": "tolak tugas yang diserahkan kepada Anda; tugas dikembalikan",
    "find colleagues in your organisation (name, unit or NIP)": "cari rekan kerja di instansi Anda (nama, unit kerja, atau NIP)",
    "a task's handoffs and each person's time on it": "riwayat serah terima tugas dan waktu tiap orang padanya",
    "the colleague's NIP (see 'wfh colleagues')": "NIP rekan kerja (lihat 'wfh colleagues')",
    "TEXT": "TEKS",
    "what the colleague should know": "hal yang perlu diketahui rekan kerja",
    "also those already answered": "termasuk yang sudah dijawab",
    "the handoff (see 'wfh inbox')": "serah terima yang dimaksud (lihat 'wfh inbox')",
    "why: the colleague is told": "alasannya: disampaikan kepada rekan kerja",
    "SEARCH": "CARI",
    "part of a name, unit or NIP": "bagian dari nama, unit kerja, atau NIP",
    "A NIP has 18 digits, not {value!r}.": "NIP terdiri dari 18 angka, bukan {value!r}.",
    "No handoff matches {ref!r}.": "Tidak ada serah terima yang cocok dengan {ref!r}.",
    "More than one handoff matches {ref!r}; give more of its id.": "Lebih dari satu serah terima cocok dengan {ref!r}; tuliskan id-nya lebih lengkap.",
    "Sign in to your agency's server first: a task is handed over through it.": "Masuk ke server instansi Anda terlebih dahulu: serah terima tugas berjalan melalui server.",
    "Say in a note what the colleague should know: it is required.": "Tuliskan dalam catatan hal yang perlu diketahui rekan kerja: catatan wajib diisi.",
    "A note can have at most {n} characters.": "Catatan paling banyak {n} karakter.",
    "Only the colleague a task was handed to can answer it.": "Hanya rekan kerja penerima tugas yang dapat menjawabnya.",
    "This handoff was already answered ({status}).": "Serah terima ini sudah dijawab ({status}).",
    "Say why you decline: the colleague who handed it is told.": "Tuliskan alasan penolakan: alasan disampaikan kepada rekan kerja yang menyerahkan.",
    "A reason can have at most {n} characters.": "Alasan paling banyak {n} karakter.",
    "A task cannot be handed to yourself.": "Tugas tidak dapat diserahkan kepada diri sendiri.",
    "The task {title!r} is with a colleague now; only they can hand it on.": "Tugas {title!r} sekarang ada pada rekan kerja; hanya ia yang dapat menyerahkannya lagi.",
    "you": "Anda",
    "a colleague": "seorang rekan kerja",
    "Not handed over: the task was changed or handed over first by someone else; it is with {who} now. Look at it again, and hand it over anew if still needed.": "Tidak diserahterimakan: tugas lebih dahulu diubah atau diserahkan oleh orang lain; sekarang tugas ada pada {who}. Periksa lagi tugasnya, dan serahkan kembali bila masih perlu.",
    "Not handed over: no active colleague with this NIP in your organisation (outside it, or the account is disabled). The task stays with you.": "Tidak diserahterimakan: tidak ada rekan kerja aktif dengan NIP ini di instansi Anda (di luar instansi, atau akunnya dinonaktifkan). Tugas tetap pada Anda.",
    "Not handed over: a task cannot be handed to yourself.": "Tidak diserahterimakan: tugas tidak dapat diserahkan kepada diri sendiri.",
    "The task is with a colleague now; only they can change it.": "Tugas sekarang ada pada rekan kerja; hanya ia yang dapat mengubahnya.",
    "Your answer came after the task had moved on; it stays as it is.": "Jawaban Anda datang setelah tugas berpindah; tugas tetap seperti sekarang.",
    "This handoff was already answered, on another of your computers.": "Serah terima ini sudah dijawab, di komputer Anda yang lain.",
    "Not handed over: the task was deleted.": "Tidak diserahterimakan: tugasnya sudah dihapus.",
    "Incoming tasks": "Tugas masuk",
    "In&coming tasks": "Tugas mas&uk",
    "In&coming tasks ({n})": "Tugas mas&uk ({n})",
    "{who} handed you a task: {title}. See “Incoming tasks” in the main window.": "{who} menyerahkan tugas kepada Anda: {title}. Lihat “Tugas masuk” di jendela utama.",
    "{n} tasks were handed to you: see “Incoming tasks” in the main window.": "{n} tugas diserahkan kepada Anda: lihat “Tugas masuk” di jendela utama.",
    "Your colleague is told after the next sync.": "Rekan kerja Anda diberi tahu setelah sinkronisasi berikutnya.",
    "Hand over a task": "Serah terima tugas",
    "Hand “{title}” over to a colleague. Your timer on it stops; every minute stays with whoever worked it.": "Serahkan “{title}” kepada rekan kerja. Pencatatan waktu Anda untuk tugas ini dihentikan; setiap menit tetap tercatat atas nama yang mengerjakannya.",
    "&Colleague": "&Rekan kerja",
    "Search by name, unit or NIP": "Cari berdasarkan nama, unit kerja, atau NIP",
    "Search colleagues": "Cari rekan kerja",
    "Colleagues": "Rekan kerja",
    "Work unit": "Unit kerja",
    "&Note for the colleague (required)": "&Catatan untuk rekan kerja (wajib)",
    "Note for the colleague": "Catatan untuk rekan kerja",
    "What is done, what is left, where the files are": "Apa yang sudah selesai, apa yang tersisa, di mana berkasnya",
    "Handing over…": "Menyerahkan…",
    "&Hand over": "&Serahkan",
    "Searching the server's directory…": "Mencari di direktori server…",
    "The server's directory could not be searched ({reason}); these are the colleagues kept on this computer.": "Direktori server tidak dapat dicari ({reason}); yang tampil adalah rekan kerja yang tersimpan di komputer ini.",
    "Not signed in: these are the colleagues kept on this computer. Sign in to search your agency's whole directory.": "Belum masuk: yang tampil adalah rekan kerja yang tersimpan di komputer ini. Masuk untuk mencari di seluruh direktori instansi Anda.",
    "Choose the colleague to hand the task to.": "Pilih rekan kerja yang akan menerima tugas.",
    "Decline a task": "Tolak tugas",
    "Decline “{title}”? It goes back to {who}, who is told your reason.": "Tolak “{title}”? Tugas kembali kepada {who}, yang akan menerima alasan Anda.",
    "&Reason (required)": "&Alasan (wajib)",
    "Reason": "Alasan",
    "&Decline": "&Tolak",
    "{who}: {minutes}": "{who}: {minutes}",
    "Tasks handed to you": "Tugas yang diserahkan kepada Anda",
    "From": "Dari",
    "Time already spent": "Waktu yang sudah dipakai",
    "&Accept": "Teri&ma",
    "&Decline…": "T&olak…",
    "Contin&ue colleague's task": "Lanjutkan tugas re&kan",
    "Accept the task and start its timer": "Terima tugas dan mulai pencatatan waktunya",
    "Accepted: {title}. It is in your task list now.": "Diterima: {title}. Tugas kini ada di daftar tugas Anda.",
    "&Hand over…": "Serah&kan…",
    "Hand the task over to a colleague": "Serahkan tugas kepada rekan kerja",
    "Hand “{title}” over to a colleague…": "Serahkan “{title}” kepada rekan kerja…",
    "Sign in first with 'wfh login': a task is handed over through your agency's server.": "Masuk dulu dengan 'wfh login': serah terima tugas berjalan melalui server instansi Anda.",
    "{who} declined this task: {reason}. It is back with you.": "{who} menolak tugas ini: {reason}. Tugas kembali kepada Anda.",
    "only if your agency gave you one": "hanya bila instansi Anda memberikannya",
    "&Browse…": "&Pilih…",
    "&Certificate file": "&Berkas sertifikat",
    "Your agency's certificate authority file": "Berkas otoritas sertifikat instansi Anda",
    "Certificates (*.pem *.crt *.cer);;All files (*)": "Sertifikat (*.pem *.crt *.cer);;Semua berkas (*)",
    "The timer kept running": "Pencatatan waktu tetap berjalan",
    "You were away {gap} (from {since}) while {title} was running. Was that time work?": (
        "Anda tidak di depan komputer selama {gap} (sejak {since}) saat {title} berjalan. "
        "Apakah waktu itu waktu kerja?"
    ),
    "Yes, keep it": "Ya, tetap dihitung",
    "Leave it out and go on": "Jangan dihitung, lanjutkan",
    "Stop at {time}": "Hentikan pukul {time}",
    "This computer's clock was set back by {gap} while {title} was running. Move the session's start back by as much, so that the time worked stays?": (
        "Jam komputer ini dimundurkan {gap} saat {title} berjalan. Mundurkan juga waktu mulai "
        "sesinya, agar waktu kerja yang tercatat tetap utuh?"
    ),
    "Move the start": "Mundurkan waktu mulai",
    "Leave it": "Biarkan",
    "This computer's clock reads {minutes} before this session began: it was set "
    "back while the timer ran. The session is kept at its start with no time and "
    "listed under 'Perlu ditinjau'; correct it with: wfh session edit": (
        "Jam komputer ini menunjukkan {minutes} sebelum sesi ini dimulai: jam dimundurkan "
        "saat pencatatan waktu berjalan. Sesi disimpan pada waktu mulainya tanpa durasi dan "
        "dicantumkan di 'Perlu ditinjau'; perbaiki dengan: wfh session edit"
    ),
    "Another program is still syncing this computer's data; try again later.": (
        "Program lain masih menyinkronkan data komputer ini; coba lagi nanti."
    ),
    "'default' is the built-in profile; choose another name.": (
        "'default' adalah profil bawaan; pilih nama lain."
    ),
    "(not signed in)": "(belum masuk)",
    "* in the default profile": "* ada di profil bawaan",
    "A heading is given as COLUMN=TEXT, such as task=Uraian kegiatan; not {value!r}.": (
        "Judul kolom ditulis KOLOM=TEKS, misalnya task=Uraian kegiatan; bukan {value!r}."
    ),
    "A heading may be at most {n} characters long.": "Judul kolom paling panjang {n} karakter.",
    "A profile name is 1-40 letters, digits, '-', '_' or '.', such as ekinerja; not {value!r}.": (
        "Nama profil terdiri atas 1-40 huruf, angka, '-', '_' atau '.', misalnya ekinerja; "
        "bukan {value!r}."
    ),
    "Activity": "Kegiatan",
    "Activity log": "Catatan kegiatan",
    "An export covers at most five years; choose a shorter range.": (
        "Ekspor mencakup paling lama lima tahun; pilih rentang yang lebih pendek."
    ),
    "COLUMN=TEXT": "KOLOM=TEKS",
    "COLUMNS": "KOLOM",
    "Daily activity log": "Laporan aktivitas harian",
    "Days with work": "Hari dengan kerja",
    "Direct supervisor": "Atasan langsung",
    "Employee": "Pegawai",
    "End time": "Selesai",
    "Export profile {name!r} removed.": "Profil ekspor {name!r} dihapus.",
    "Export profile {name!r} saved: {columns}.": "Profil ekspor {name!r} disimpan: {columns}.",
    "Exported to {path}: {what}": "Diekspor ke {path}: {what}",
    "Give both --from and --to, or a --day, --week or --month.": (
        "Berikan --from dan --to sekaligus, atau --day, --week atau --month."
    ),
    "Handed over from": "Diterima dari",
    "Handed over to": "Diserahkan kepada",
    "Lines": "Baris",
    "Minutes": "Menit",
    "NAME": "NAMA",
    "Name at least one column: {columns}.": "Sebutkan paling sedikit satu kolom: {columns}.",
    "No": "Tidak",
    "No export profiles saved; exports use the default columns.": (
        "Belum ada profil ekspor yang disimpan; ekspor memakai kolom bawaan."
    ),
    "No work was tracked in this period.": "Tidak ada pekerjaan yang dicatat pada periode ini.",
    "No work was tracked in this period; the file holds the headings only.": (
        "Tidak ada pekerjaan yang dicatat pada periode ini; berkas hanya berisi judul kolom."
    ),
    "Page {page} of {pages}": "Halaman {page} dari {pages}",
    "Period": "Periode",
    "RHK": "RHK",
    "Start time": "Mulai",
    "Summary": "Ringkasan",
    "Target (minutes)": "Target (menit)",
    "Task status": "Status tugas",
    "The column {column!r} is named twice.": "Kolom {column!r} disebut dua kali.",
    "The export profile {name!r} in {path} is not valid; save it again with "
    "'wfh export-profile save'.": (
        "Profil ekspor {name!r} di {path} tidak sah; simpan lagi dengan 'wfh export-profile save'."
    ),
    "The export profiles in {path} cannot be read ({reason}); fix or remove the file.": (
        "Profil ekspor di {path} tidak dapat dibaca ({reason}); perbaiki atau hapus berkas itu."
    ),
    "The folder {path} does not exist.": "Folder {path} tidak ada.",
    "There is no export profile named {name!r}.": "Tidak ada profil ekspor bernama {name!r}.",
    "There is no export profile named {name!r}; see 'wfh export-profile list'.": (
        "Tidak ada profil ekspor bernama {name!r}; lihat 'wfh export-profile list'."
    ),
    "Time worked": "Waktu kerja",
    "Total minutes": "Jumlah menit",
    "Totals": "Jumlah",
    "Unknown column {column!r}; the columns are: {columns}.": (
        "Kolom {column!r} tidak dikenal; kolom yang ada: {columns}."
    ),
    "Unknown export format {format!r}: use csv, xlsx or pdf.": (
        "Format ekspor {format!r} tidak dikenal: gunakan csv, xlsx atau pdf."
    ),
    "WFH Desktop, made {when}": "WFH Desktop, dibuat {when}",
    "Yes": "Ya",
    "a column's heading, such as task='Uraian kegiatan' (repeatable)": (
        "judul sebuah kolom, misalnya task='Uraian kegiatan' (boleh berulang)"
    ),
    "activities": "kegiatan",
    "dates as 02/11/2026 (dmy) or 2026-11-02 (iso)": (
        "tanggal sebagai 02/11/2026 (dmy) atau 2026-11-02 (iso)"
    ),
    "export the activity log to CSV, XLSX or PDF": (
        "ekspor catatan kegiatan ke CSV, XLSX atau PDF"
    ),
    "list the columns an export can have": "tampilkan kolom yang dapat dimuat ekspor",
    "list the saved profiles": "tampilkan profil yang tersimpan",
    "remove a saved profile": "hapus profil yang tersimpan",
    "replace the file if it exists": "timpa berkas bila sudah ada",
    "save a profile (or change a saved one)": "simpan profil (atau ubah yang sudah tersimpan)",
    "save which columns an export has, in which order and named how": (
        "simpan kolom apa saja yang dimuat ekspor, urutannya dan judulnya"
    ),
    "the CSV field separator (default ';', as Excel in Indonesian expects)": (
        "pemisah kolom CSV (bawaan ';', seperti yang diharapkan Excel berbahasa Indonesia)"
    ),
    "the columns in order, comma-separated (see 'wfh export-profile columns')": (
        "kolom-kolom secara berurutan, dipisah koma (lihat 'wfh export-profile columns')"
    ),
    "the columns to use, saved with 'wfh export-profile save'": (
        "kolom yang dipakai, disimpan dengan 'wfh export-profile save'"
    ),
    "the file format (default: from the output file's name, else xlsx)": (
        "format berkas (bawaan: dari nama berkas keluaran, selain itu xlsx)"
    ),
    "the file to write (default: kegiatan-PERIOD.FORMAT here)": (
        "berkas yang ditulis (bawaan: kegiatan-PERIODE.FORMAT di sini)"
    ),
    "the profile's name": "nama profil",
    "the profile's name, such as ekinerja": "nama profil, misalnya ekinerja",
    "times as 08.30 (dot) or 08:30 (colon)": "jam sebagai 08.30 (dot) atau 08:30 (colon)",
    "{lines} lines, {total} over {days} days ({first} to {last}).": (
        "{lines} baris, {total} dalam {days} hari ({first} s.d. {last})."
    ),
    "{first} to {last} ({zone})": "{first} s.d. {last} ({zone})",
    "{first} to {last}": "{first} s.d. {last}",
    "{path} already exists; choose another file or add --force to replace it.": (
        "{path} sudah ada; pilih berkas lain atau tambahkan --force untuk menimpanya."
    ),
    "{path} cannot be written: {reason}": "{path} tidak dapat ditulis: {reason}",
    "{path} is a folder; give a file name.": "{path} adalah folder; berikan nama berkas.",
    "{time} ({minutes} minutes)": "{time} ({minutes} menit)",
    "{path}, line {line}": "{path}, baris {line}",
    "The calendar file {path} cannot be read: {error}": "Berkas kalender {path} tidak dapat dibaca: {error}",
    "The calendar file {path} is not valid TOML: {error}": "Berkas kalender {path} bukan TOML yang sah: {error}",
    "{where}: {field} must be a date such as 2026-03-23, not {value!r}.": "{where}: {field} harus berupa tanggal seperti 2026-03-23, bukan {value!r}.",
    "{where}: {field} must be a whole number of minutes from 0 to 1440, not {value!r}.": "{where}: {field} harus bilangan bulat dari 0 sampai 1440 menit, bukan {value!r}.",
    "{where}: {field} must be a time of day such as 07:30, not {value!r}.": "{where}: {field} harus berupa jam seperti 07:30, bukan {value!r}.",
    '{where}: {field} must be a list of weekdays such as ["mon", "tue", "wed", "thu", "fri"], not {value!r}.': '{where}: {field} harus berupa daftar hari seperti ["mon", "tue", "wed", "thu", "fri"] (Senin sampai Jumat), bukan {value!r}.',
    "{where}: {field} must be text, not {value!r}.": "{where}: {field} harus berupa teks, bukan {value!r}.",
    '{where}: {field} must be "holiday" or "cuti_bersama", not {value!r}.': '{where}: {field} harus "holiday" (libur nasional) atau "cuti_bersama" (cuti bersama), bukan {value!r}.',
    '{where}: {field} must be "final" or "provisional", not {value!r}.': '{where}: {field} harus "final" (tetap) atau "provisional" (sementara), bukan {value!r}.',
    "{where}: {field} must be a year such as 2027, not {value!r}.": "{where}: {field} harus berupa tahun seperti 2027, bukan {value!r}.",
    "{where}: {field} is missing.": "{where}: {field} wajib diisi.",
    "{where}: {field} is not a setting of a calendar file.": "{where}: {field} bukan pengaturan yang dikenal dalam berkas kalender.",
    "{where}: {field} is not in the expected form; see the example in the README.": "{where}: {field} tidak sesuai bentuk yang diharapkan; lihat contoh di README.",
    "{where}: {field}: {value} is listed more than once in this file.": "{where}: {field}: {value} tercantum lebih dari sekali dalam berkas ini.",
    "{where}: {field}: there is no national holiday or cuti bersama on {day} to remove.": "{where}: {field}: tidak ada libur nasional atau cuti bersama pada {day} yang dapat dihapus.",
    "{where}: {field}: Ramadan lasts 29 or 30 days, but {first} to {last} is {days} days.": "{where}: {field}: Ramadan berlangsung 29 atau 30 hari, tetapi {first} sampai {last} adalah {days} hari.",
    "Another program is syncing this computer's data; waiting for it to finish…": (
        "Program lain sedang menyinkronkan data komputer ini; menunggu sampai selesai…"
    ),
}
