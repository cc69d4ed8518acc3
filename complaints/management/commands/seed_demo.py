"""Demo data for the embedded defaults: officer accounts and a few complaints in several states."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from complaints.intake.services import complaint_submit
from complaints.models import Complaint, HandlingUnit, Role, User
from workflow import engine
from workflow.engine import Actor

# Demo accounts on the embedded defaults only; documented in the README.
DEMO_PASSWORD = "sigap-demo-2026"  # noqa: S105
ACCOUNTS = [
    # username, name, role, unit code
    ("intan", "Intan Verifikasi", Role.INTAKE_OFFICER, "penerimaan-31"),
    ("oki", "Oki Ombudsman", Role.CASE_OFFICER, "ombudsman-31"),
    ("kartika", "Kartika Kanwil", Role.CASE_OFFICER, "kanwil-ham-31"),
    ("sari", "Sari Kepala Unit", Role.SUPERVISOR, "ombudsman-31"),
    ("hana", "Hana Kepala Kanwil", Role.SUPERVISOR, "kanwil-ham-31"),
    ("admin", "Admin Sigap", Role.ADMINISTRATOR, None),
]
STORIES = [
    (
        "maladministrasi",
        "penundaan-berlarut",
        "Pengurusan KTP elektronik saya tertunda empat bulan tanpa kejelasan.",
    ),
    (
        "maladministrasi",
        "permintaan-imbalan",
        "Petugas meminta uang tambahan di luar tarif resmi untuk sertifikat tanah.",
    ),
    ("ham", "hak-anak", "Anak saya ditolak masuk sekolah negeri karena penyandang disabilitas."),
    (
        "maladministrasi",
        "tidak-memberikan-pelayanan",
        "Puskesmas menolak melayani pasien BPJS pada hari Sabtu.",
    ),
    ("tidak_tahu", None, "Bantuan sosial untuk lansia di kelurahan kami tidak pernah dibagikan."),
    ("ham", "hak-rasa-aman", "Saya diintimidasi aparat saat mengurus izin usaha kecil di pasar."),
]


class Command(BaseCommand):
    help = "Create demo officer accounts and demo complaints (idempotent). Demo passwords: demo only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="seed even where the database already has other accounts (never on a real deployment)",
        )

    @transaction.atomic
    def handle(self, *args, **options):
        refusal = self._refusal(force=options["force"])
        if refusal:
            raise CommandError(refusal)
        users = {}
        for username, name, role, unit_code in ACCOUNTS:
            user, created = User.objects.get_or_create(username=username)
            if created:
                first, _, last = name.partition(" ")
                user.first_name, user.last_name, user.role = first, last, role
                user.unit = HandlingUnit.objects.get(code=unit_code) if unit_code else None
                user.is_staff = user.is_superuser = role == Role.ADMINISTRATOR
                user.set_password(DEMO_PASSWORD)
                user.save()
            users[username] = user
        if not Complaint.objects.exists():
            self._complaints(users)
        self.stdout.write(
            self.style.WARNING("Akun demo — hanya untuk demo / demo accounts, for the demo only:")
        )
        for username, name, role, _unit in ACCOUNTS:
            self.stdout.write(f"  {username:8} / {DEMO_PASSWORD}   {Role(role).label} ({name})")
        # Where this deployment says it is served (SIGAP_PUBLIC_URL), not a guessed port.
        base = settings.SIGAP_PUBLIC_URL
        self.stdout.write(f"Sigap: {base}/  ·  petugas: {base}/petugas/")

    @staticmethod
    def _refusal(*, force: bool) -> str | None:
        """Accounts with a published password must never land in a real deployment's database."""
        if settings.SIGAP_MESSAGE_SENDER == "twilio":
            # Not even with --force: the demo cases' SMS would go out through a real account.
            return (
                "seed_demo menolak berjalan dengan pengirim pesan Twilio: SMS kasus demo akan benar-benar "
                "terkirim. / seed_demo refuses to run with the Twilio sender: the demo cases' SMS would "
                "really be sent."
            )
        # A database first seeded with the demo may gain accounts of its own (make demo runs again
        # on it); one that has accounts and never had the demo's is somebody's real one.
        demo = [username for username, *_ in ACCOUNTS]
        users = User.objects.all()
        if (
            not force
            and not users.filter(username__in=demo).exists()
            and users.exclude(username__in=demo).exists()
        ):
            return (
                "Basis data ini sudah berisi akun lain; akun demo dengan kata sandi umum tidak ditambahkan "
                "(--force bila ini memang basis data uji). / This database already has other accounts; "
                "demo accounts with a published password were not added (--force if it really is a "
                "test database)."
            )
        return None

    def _complaints(self, users):
        from complaints.models import Category

        intake = Actor.officer(users["intan"])
        # Each kind goes to its own destination: Ombudsman for maladministration, the Kanwil for HAM.
        handlers = {"maladministrasi": Actor.officer(users["oki"]), "ham": Actor.officer(users["kartika"])}
        outcomes = {"maladministrasi": "diselesaikan_instansi", "ham": "indikasi_ham_tidak_ada"}
        requirements = {
            "req_identity": "1",
            "req_chronology": "1",
            "req_agency_first": "1",
            "req_within_two_years": "1",
        }
        for index, (kind, category, story) in enumerate(STORIES * 3):
            data = {
                "reporter_type": "asn" if index % 5 == 4 else "warga",
                "confidentiality": ["terbuka", "rahasia", "anonim"][index % 3],
                "name": f"Pelapor Demo {index + 1}",
                "phone": f"0812-0000-{index:04d}",
                "own_agency_name": "Dinas Kependudukan",
                "kind": kind,
                "category": Category.objects.get(code=category).pk if category else "",
                "agency_name": "Dinas Kependudukan dan Pencatatan Sipil",
                "province": "31",
                "regency": "31.71",
                "description": story,
                "complained_to_agency_first": "1",
                "consent_pdp": "on",
                "notify_channel": "sms",
            }
            if data["confidentiality"] == "anonim":
                # Anonymous: no contact; followed with the tracking code and PIN only.
                data.update(phone="", notify_channel="none")
            complaint, _pin = complaint_submit(channel="web", data=data)
            # How far this demo case has come: 0 received … 5 resolved. The round (index // 6)
            # shifts the steps so every kind of story appears in several states.
            steps = (index + index // len(STORIES) * 2) % 6
            if steps >= 1:
                engine.perform(complaint, "start_verification", actor=intake, via="web")
            if steps == 2:
                engine.perform(
                    complaint, "request_info", actor=intake, via="web", message="Mohon kirim foto KTP."
                )
            handler = handlers.get(complaint.kind)
            if steps < 3 or handler is None:  # "tidak tahu" stays at the intake desk
                continue
            if complaint.is_anonymous:
                # Anonymous information is no report (UU 37/2008 ps. 24): taken up on own motion.
                engine.perform(complaint, "take_up_own_motion", actor=intake, via="web")
            else:
                engine.perform(complaint, "verify_formal", actor=intake, via="web", **requirements)
                engine.perform(complaint, "refer", actor=intake, via="web")
            if steps >= 4:
                engine.perform(complaint, "accept_referral", actor=handler, via="web")
            if steps >= 5:
                engine.perform(
                    complaint,
                    "resolve",
                    actor=handler,
                    via="web",
                    outcome=outcomes[complaint.kind],
                    public_summary="Instansi memperbaiki layanan dan meminta maaf.",
                )
