//! Fixtures shared by the tests: PDFs written here, and keys, certificates and `.p7m` files
//! made once per test run with the `openssl` command-line tool in a temporary directory.
//!
//! The `openssl` CLI is required: without it the tests fail with a message saying so (CI
//! installs it), they never pass silently.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

pub const SUBJECT: &str = "/CN=Mario Rossi/serialNumber=TINIT-RSSMRA80A01H501U";

/// A small valid PDF with `pages` pages, with a correct cross-reference table.
pub fn pdf(pages: usize) -> Vec<u8> {
    let mut objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        format!(
            "<< /Type /Pages /Kids [{}] /Count {pages} >>",
            (0..pages)
                .map(|i| format!("{} 0 R", i + 3))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    ];
    for _ in 0..pages {
        objects.push("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_string());
    }
    write_pdf(&objects, "")
}

/// A PDF whose trailer names an encryption dictionary (the standard security handler).
pub fn encrypted_pdf() -> Vec<u8> {
    let objects = vec![
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>".to_string(),
        format!(
            "<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 /O <{}> /U <{}> >>",
            "11".repeat(32),
            "22".repeat(32)
        ),
    ];
    write_pdf(
        &objects,
        " /Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]",
    )
}

fn write_pdf(objects: &[String], trailer_extra: &str) -> Vec<u8> {
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, object) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{object}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for offset in offsets {
        out.extend_from_slice(format!("{offset:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// The first bytes of a real PNG image (signature and IHDR chunk) and some more.
pub fn png() -> Vec<u8> {
    let mut png =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89".to_vec();
    png.extend_from_slice(b"\0\0\0\rIDATx\x9cc\xf8\xff\xff?\0\x05\xfe\x02\xfe\xa7\x35\x81\x84");
    png.extend_from_slice(b"\0\0\0\0IEND\xaeB`\x82");
    png
}

/// The openssl working directory with the keys and certificates of [`Fixtures`].
pub struct Fixtures {
    dir: tempfile::TempDir,
}

/// The fixtures, made on first use.
pub fn fixtures() -> &'static Fixtures {
    static FIXTURES: OnceLock<Fixtures> = OnceLock::new();
    FIXTURES.get_or_init(Fixtures::make)
}

impl Fixtures {
    fn make() -> Fixtures {
        let found = Command::new("openssl").arg("version").output();
        assert!(
            found.is_ok_and(|o| o.status.success()),
            "these tests need the `openssl` command-line tool (apt-get install openssl)"
        );
        let fixtures = Fixtures {
            dir: tempfile::tempdir().expect("temporary directory"),
        };
        let f = &fixtures;
        std::fs::write(f.path("doc.pdf"), pdf(2)).unwrap();
        std::fs::write(f.path("image.png"), png()).unwrap();
        std::fs::write(
            f.path("ca.ext"),
            "basicConstraints=critical,CA:TRUE\nkeyUsage=keyCertSign,cRLSign\n\
             subjectKeyIdentifier=hash\n",
        )
        .unwrap();
        std::fs::write(
            f.path("leaf.ext"),
            "basicConstraints=CA:FALSE\nkeyUsage=nonRepudiation\nsubjectKeyIdentifier=hash\n",
        )
        .unwrap();
        // Self-signed signers: RSA-2048, P-256, P-384.
        f.self_signed("rsa", &["-newkey", "rsa:2048"]);
        f.self_signed(
            "p256",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"],
        );
        f.self_signed(
            "p384",
            &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp384r1"],
        );
        // A CA, an intermediate CA it issued, signers under both, and an unrelated CA.
        f.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
            "-days",
            "3650",
            "-subj",
            "/CN=Prova Root CA/O=Prova",
        ]);
        f.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            "other-ca.key",
            "-out",
            "other-ca.crt",
            "-days",
            "3650",
            "-subj",
            "/CN=Other CA",
        ]);
        f.issued("inter", "ca", "/CN=Prova Intermediate CA", "ca.ext", "3650");
        f.issued("leaf", "ca", SUBJECT, "leaf.ext", "365");
        f.issued("deep", "inter", SUBJECT, "leaf.ext", "365");
        f.issued("short", "ca", SUBJECT, "leaf.ext", "1");
        fixtures
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }

    /// Runs openssl in the fixture directory; panics with its error output on failure.
    pub fn openssl(&self, args: &[&str]) {
        run_openssl(self.dir.path(), args);
    }

    fn self_signed(&self, name: &str, key: &[&str]) {
        let (keyout, out) = (format!("{name}.key"), format!("{name}.crt"));
        let mut args = vec!["req", "-x509"];
        args.extend_from_slice(key);
        args.extend_from_slice(&[
            "-nodes", "-keyout", &keyout, "-out", &out, "-days", "365", "-subj", SUBJECT,
        ]);
        self.openssl(&args);
    }

    fn issued(&self, name: &str, issuer: &str, subject: &str, ext: &str, days: &str) {
        let (key, csr, crt) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.crt"),
        );
        let (ca_crt, ca_key) = (format!("{issuer}.crt"), format!("{issuer}.key"));
        self.openssl(&[
            "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
            subject,
        ]);
        self.openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca_crt,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-out",
            &crt,
            "-days",
            days,
            "-extfile",
            ext,
        ]);
    }

    /// Signs the file `input` with `signer` (its `.crt` and `.key`) and returns the output.
    /// `extra` are further `openssl cms -sign` options (e.g. `-nodetach`, `-outform DER`).
    pub fn sign(&self, input: &str, signer: &str, extra: &[&str]) -> Vec<u8> {
        let out = format!("out-{}.p7m", unique());
        let (crt, key) = (format!("{signer}.crt"), format!("{signer}.key"));
        let mut args = vec![
            "cms", "-sign", "-binary", "-in", input, "-signer", &crt, "-inkey", &key, "-out", &out,
        ];
        args.extend_from_slice(extra);
        self.openssl(&args);
        self.read(&out)
    }

    /// Signs `bytes` (written to a file first).
    pub fn sign_bytes(&self, bytes: &[u8], signer: &str, extra: &[&str]) -> Vec<u8> {
        let input = format!("in-{}", unique());
        std::fs::write(self.path(&input), bytes).unwrap();
        self.sign(&input, signer, extra)
    }
}

fn run_openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the openssl command-line tool is needed for these tests");
    assert!(
        output.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}
