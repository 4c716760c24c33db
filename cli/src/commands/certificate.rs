//! `kagi certificate verify | show | render` and `kagi ledger verify | export`: what auditors
//! run on erasure certificates and the host's ledger.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crypto_core::Provider;
use erase::certificate::{self, Document, Sealed};
use erase::ledger::{self, Ledger};
use serde_json::json;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::key::provider;
use crate::Outcome;
use crate::args::{CertificateCommand, LedgerCommand};
use crate::files::{self, Mode};
use crate::output::{CliError, print, print_json};

pub fn run(cmd: CertificateCommand) -> Result<Outcome, CliError> {
    match cmd {
        CertificateCommand::Verify {
            files,
            trust,
            device,
            policy,
            json,
        } => {
            let provider = provider(&policy)?;
            let trust = files::bundle(trust.as_deref())?;
            let list = expand(&files)?;
            if device.is_some() && list.len() != 1 {
                return Err(CliError::Msg(
                    "--device checks one certificate against one device".into(),
                ));
            }
            let mut results = Vec::new();
            for f in &list {
                results.push(check_one(&provider, f, &trust, device.as_deref())?);
            }
            let valid = results.iter().filter(|r| r.valid).count();
            if json {
                let all: Vec<_> = results.iter().map(Checked::to_json).collect();
                print_json(&json!({
                    "valid": valid == results.len(),
                    "summary": {"certificates": results.len(), "valid": valid, "invalid": results.len() - valid},
                    "certificates": all,
                }))?;
            } else {
                let mut s = String::new();
                for r in &results {
                    s.push_str(&r.line());
                }
                if results.len() > 1 {
                    let _ = writeln!(
                        s,
                        "{} certificates: {valid} valid, {} invalid",
                        results.len(),
                        results.len() - valid
                    );
                }
                print(&s)?;
            }
            Ok(if valid == results.len() {
                Outcome::Yes
            } else {
                Outcome::No
            })
        }
        CertificateCommand::Show { file, json } => {
            let sealed = open(&file)?;
            if json {
                print_json(&sealed.document)?;
            } else {
                print(&show(&sealed.document))?;
                eprintln!(
                    "kagi: shown, not verified: `kagi certificate verify {} --trust CA` checks the signature",
                    file.display()
                );
            }
            Ok(Outcome::Yes)
        }
        CertificateCommand::Render {
            file,
            html,
            trust,
            force,
            policy,
        } => {
            let bytes = files::read(&file)?;
            let sealed = certificate::open(&bytes)
                .map_err(|e| CliError::Msg(format!("{}: {e}", file.display())))?;
            let provider = provider(&policy)?;
            // Without --trust, everything that needs no anchor is still checked: the
            // signature over these exact bytes with the embedded signer certificate, the
            // document's consistency, its algorithms.
            let anchored = trust.is_some();
            let trust = match trust {
                Some(t) => files::bundle(Some(&t))?,
                None => Vec::new(),
            };
            let verdict =
                certificate::verify(&provider, &sealed, &trust, issued_at(&sealed.document));
            let problems = if anchored {
                verdict.problems()
            } else {
                verdict.problems_but_anchor()
            };
            let hash = certificate::file_hash(&provider, &bytes).map_err(err)?;
            let check = Check {
                verdict: &verdict,
                anchored,
                problems: &problems,
            };
            let page = render_html(&sealed.document, &check, &file, &hash);
            files::write_new(&html, page.as_bytes(), Mode::Public, force)?;
            print(&format!(
                "rendered {} → {}\n",
                file.display(),
                html.display()
            ))?;
            // The page of an invalid certificate is written (marked NOT VALID on every page),
            // and the answer is still "no".
            if !problems.is_empty() {
                return Err(CliError::No(format!(
                    "{}: NOT VALID ({}); every page of {} says so",
                    file.display(),
                    problems.join("; "),
                    html.display()
                )));
            }
            if !anchored {
                eprintln!(
                    "kagi: {}: the signature and the document hold; the signer was not checked against a trust anchor (`--trust CA` does)",
                    file.display()
                );
            }
            Ok(Outcome::Yes)
        }
    }
}

fn err(e: erase::Error) -> CliError {
    super::erase::err(e)
}

/// Files, and the `*.erasure` files of directories, in order.
fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| CliError::File {
                    path: p.clone(),
                    source: e,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == "erasure"))
                .collect();
            v.sort();
            out.extend(v);
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(CliError::Msg("no certificates (*.erasure) found".into()));
    }
    Ok(out)
}

fn open(path: &Path) -> Result<Sealed, CliError> {
    certificate::open(&files::read(path)?)
        .map_err(|e| CliError::Msg(format!("{}: {e}", path.display())))
}

/// The signer's certificate is judged as of the signing (issue) time: a certificate stays
/// verifiable after the operator's certificate expires.
fn issued_at(d: &Document) -> OffsetDateTime {
    OffsetDateTime::parse(&d.issued, &Rfc3339).unwrap_or_else(|_| OffsetDateTime::now_utc())
}

struct Checked {
    file: PathBuf,
    valid: bool,
    problems: Vec<String>,
    document: Option<Document>,
    signature: Option<crypto_core::cms::Report>,
    device_check: Option<String>,
}

impl Checked {
    fn line(&self) -> String {
        let mut s = String::new();
        if self.valid {
            let d = self.document.as_ref();
            let _ = writeln!(
                s,
                "valid: {} — {}",
                self.file.display(),
                d.map(summary).unwrap_or_default()
            );
            if let Some(sig) = &self.signature
                && let Some(signer) = &sig.signer
            {
                let _ = writeln!(
                    s,
                    "  signed by {} at {}{}",
                    signer.subject,
                    sig.signing_time.as_deref().unwrap_or("?"),
                    sig.trust_anchor
                        .as_ref()
                        .map(|a| format!(", trusted through {a}"))
                        .unwrap_or_default()
                );
            }
        } else {
            let _ = writeln!(
                s,
                "INVALID: {} — {}",
                self.file.display(),
                self.problems.join("; ")
            );
        }
        if let Some(d) = &self.device_check {
            let _ = writeln!(s, "  device: {d}");
        }
        s
    }

    fn to_json(&self) -> serde_json::Value {
        json!({
            "file": self.file,
            "valid": self.valid,
            "problems": self.problems,
            "id": self.document.as_ref().map(|d| d.id.clone()),
            "device": self.document.as_ref().map(|d| d.device.clone()),
            "signature": self.signature,
            "device_check": self.device_check,
        })
    }
}

fn summary(d: &Document) -> String {
    // A crypto-erase overwrote and verified its key area only, not the device.
    let (scope, verified) = match &d.crypto_erase {
        Some(c) => (
            format!(
                "key area bytes {}..{} of {}",
                c.destroyed.start, c.destroyed.end, d.device.size
            ),
            format!("{} (the key area)", d.verification.mode),
        ),
        None => (
            format!("{} bytes", d.device.size),
            d.verification.mode.clone(),
        ),
    };
    format!(
        "{} ({}{}), {} {} [{scope}], verified {verified}, NIST SP 800-88 {}, finished {}",
        d.device.path,
        d.device.model.as_deref().unwrap_or("no model"),
        d.device
            .serial
            .as_deref()
            .map(|s| format!(", serial {s}"))
            .unwrap_or_default(),
        d.sanitization.technique,
        erase::method::abbreviate(&d.sanitization.scheme),
        d.sanitization.nist_level,
        d.sanitization.finished
    )
}

fn check_one(
    provider: &Provider,
    file: &Path,
    trust: &[Vec<u8>],
    device: Option<&Path>,
) -> Result<Checked, CliError> {
    let bytes = files::read(file)?;
    let sealed = match certificate::open(&bytes) {
        Ok(s) => s,
        Err(e) => {
            return Ok(Checked {
                file: file.to_path_buf(),
                valid: false,
                problems: vec![e.to_string()],
                document: None,
                signature: None,
                device_check: None,
            });
        }
    };
    let v = certificate::verify(provider, &sealed, trust, issued_at(&sealed.document));
    let mut problems = v.problems();
    let device_check = match device {
        Some(dev) => Some(
            match erase::device_check::check_device(provider, &sealed.document, dev) {
                Ok(found) => found,
                Err(why) => {
                    problems.push(why.clone());
                    why
                }
            },
        ),
        None => None,
    };
    Ok(Checked {
        file: file.to_path_buf(),
        valid: problems.is_empty(),
        problems,
        document: Some(sealed.document),
        signature: Some(v.signature),
        device_check,
    })
}

fn show(d: &Document) -> String {
    let mut s = String::new();
    let c = &d.context;
    let _ = writeln!(s, "erasure certificate {} ({})", d.id, d.schema);
    let _ = writeln!(s, "  issued:        {}", d.issued);
    let _ = writeln!(
        s,
        "  organisation:  {}{}{}",
        c.organisation,
        c.unit
            .as_deref()
            .map(|u| format!(", {u}"))
            .unwrap_or_default(),
        c.location
            .as_deref()
            .map(|u| format!(" ({u})"))
            .unwrap_or_default()
    );
    let _ = writeln!(
        s,
        "  operator:      {} ({}){}",
        c.operator,
        c.role,
        c.contact
            .as_deref()
            .map(|u| format!(", {u}"))
            .unwrap_or_default()
    );
    for (k, v) in [
        ("asset tag", &c.asset_tag),
        ("contract", &c.contract),
        ("destination", &c.destination),
        ("notes", &c.notes),
    ] {
        if let Some(v) = v {
            let _ = writeln!(s, "  {k:<14} {v}");
        }
    }
    let _ = writeln!(s, "  device:        {}", summary(d));
    for (i, p) in d.sanitization.passes.iter().enumerate() {
        let _ = writeln!(
            s,
            "  pass {}:        {}{}",
            i + 1,
            p.method,
            if p.verified { " (verified)" } else { "" }
        );
        for seg in &p.segments {
            if let Some(k) = &seg.key_commitment {
                let _ = writeln!(
                    s,
                    "                 bytes {}..{}: key commitment sha256:{k}",
                    seg.start, seg.end
                );
            }
        }
    }
    let v = &d.verification;
    let _ = writeln!(
        s,
        "  verification:  {}, {} of {} bytes, coverage {}.{:02}%{}",
        v.mode,
        v.verified_bytes,
        d.device.size,
        v.coverage_bp / 100,
        v.coverage_bp % 100,
        v.sample_seed
            .map(|x| format!(", seed {x:#018x}"))
            .unwrap_or_default()
    );
    if let Some(r) = &v.recheck {
        let _ = writeln!(
            s,
            "  re-checked:    {} window(s) verified before the interruption, {} bytes re-read, {} digests: {}",
            r.windows,
            r.bytes,
            r.algorithm,
            if r.changed.is_empty() {
                "unchanged".to_string()
            } else {
                format!("{} CHANGED", r.changed.len())
            }
        );
    }
    if let Some(x) = d.crypto_erase.as_ref().and_then(|c| c.data_sample.as_ref()) {
        let _ = writeln!(
            s,
            "  data sample:   {} sectors: {} ciphertext-like, {} never written, {} readable",
            x.sectors, x.ciphertext_like, x.unwritten, x.readable
        );
    }
    for n in &d.sanitization.not_reached {
        let _ = writeln!(s, "  not reached:   {n}");
    }
    for a in &d.policy.algorithms {
        let _ = writeln!(
            s,
            "  algorithm:     {} — {} ({})",
            a.algorithm, a.verdict, a.purpose
        );
    }
    let _ = writeln!(
        s,
        "  tool:          {} {} on {} (kernel {}), policy {} ({})",
        d.tool.name, d.tool.version, d.tool.host, d.tool.kernel, d.policy.name, d.policy.dataset
    );
    if let Some(m) = &d.tool.machine {
        let _ = writeln!(s, "  machine:       {m}");
    }
    if let Some(l) = &d.ledger {
        let _ = writeln!(s, "  ledger:        entry {} after {}", l.seq, l.prev);
    }
    s
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `n` bytes with GiB and GB beside them, as a paper form gives a capacity.
fn sizes(n: u64) -> String {
    format!(
        "{n} bytes ({:.2} GiB / {:.2} GB)",
        n as f64 / (1u64 << 30) as f64,
        n as f64 / 1e9
    )
}

/// An RFC 3339 time to the second in JST (UTC+09:00, the zone of the offices kagi serves)
/// with UTC beside it; unparseable text is shown as it is.
fn when(t: &str) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    match OffsetDateTime::parse(t, &Rfc3339) {
        Ok(x) => {
            let jst = x.to_offset(time::macros::offset!(+9));
            let utc = x.to_offset(time::UtcOffset::UTC);
            match (jst.format(&fmt), utc.format(&fmt)) {
                (Ok(a), Ok(b)) => format!("{a} JST ({b} UTC)"),
                _ => t.to_string(),
            }
        }
        Err(_) => t.to_string(),
    }
}

/// A self-contained printable page with Japanese and English labels. It says it is not the
/// authoritative record: the signed file is.
/// What `render` found: the verdict, whether trust anchors were given, and the problems
/// that count (without anchors, all but the missing anchor).
struct Check<'a> {
    verdict: &'a certificate::Verdict,
    anchored: bool,
    problems: &'a [String],
}

fn render_html(d: &Document, check: &Check<'_>, file: &Path, hash: &str) -> String {
    let c = &d.context;
    let opt = |v: &Option<String>| v.as_deref().map(esc).unwrap_or_else(|| "—".into());
    let mut rows = Vec::new();
    let mut row = |ja: &str, en: &str, v: String| {
        rows.push(format!(
            "<tr><th><span lang=\"ja\">{ja}</span><br><span class=\"en\">{en}</span></th><td>{v}</td></tr>"
        ))
    };
    row("証明書番号", "Certificate ID", esc(&d.id));
    row("発行日時", "Issued", esc(&when(&d.issued)));
    row(
        "台帳番号",
        "Ledger position",
        match &d.ledger {
            Some(l) => format!(
                "第 {} 号 — entry {} (previous entry <code>{}</code>)",
                l.seq,
                l.seq,
                esc(&l.prev)
            ),
            None => "— (not recorded in a ledger)".into(),
        },
    );
    row("組織", "Organisation", {
        let mut v = esc(&c.organisation);
        if let Some(u) = &c.unit {
            v.push_str(&format!(" / {}", esc(u)));
        }
        v
    });
    row("実施場所", "Location", opt(&c.location));
    row(
        "作業者",
        "Operator",
        format!("{} ({})", esc(&c.operator), esc(&c.role)),
    );
    row("連絡先", "Contact", opt(&c.contact));
    row("資産番号", "Asset tag", opt(&c.asset_tag));
    row("契約番号", "Lease / contract", opt(&c.contract));
    row("媒体の行先", "Destination", opt(&c.destination));
    row("デバイス", "Device", esc(&d.device.path));
    row("種別", "Kind / transport", {
        format!(
            "{} / {}{}",
            esc(&d.device.kind),
            esc(&d.device.transport),
            if d.device.rotational {
                " (rotational)"
            } else {
                " (solid-state)"
            }
        )
    });
    row("型番", "Model", opt(&d.device.model));
    row("製造番号", "Serial number", opt(&d.device.serial));
    row("WWN", "WWN", opt(&d.device.wwn));
    row(
        "容量",
        "Size",
        format!(
            "{} ({} / {} byte sectors)",
            sizes(d.device.size),
            d.device.logical_sector,
            d.device.physical_sector
        ),
    );
    row(
        "消去方式",
        "Technique / scheme",
        format!(
            "{} — {}",
            esc(&d.sanitization.technique),
            esc(&erase::method::abbreviate(&d.sanitization.scheme))
        ),
    );
    row(
        "NIST SP 800-88 水準",
        "NIST SP 800-88 level",
        esc(&d.sanitization.nist_level),
    );
    let mut passes = String::new();
    for (i, p) in d.sanitization.passes.iter().enumerate() {
        passes.push_str(&format!(
            "{}. {}",
            i + 1,
            esc(&erase::method::abbreviate(&p.method))
        ));
        for seg in &p.segments {
            if let Some(k) = &seg.key_commitment {
                passes.push_str(&format!(
                    "<br><code>{}..{}: sha256:{}</code>",
                    seg.start,
                    seg.end,
                    esc(k)
                ));
            }
        }
        passes.push_str("<br>");
    }
    row("パス", "Passes (key commitments)", passes);
    let v = &d.verification;
    row(
        "検証",
        "Verification",
        format!(
            "{} — {} / {} bytes ({}.{:02}%){}",
            esc(&v.mode),
            v.verified_bytes,
            d.device.size,
            v.coverage_bp / 100,
            v.coverage_bp % 100,
            v.sample_seed
                .map(|x| format!(", seed {x:#018x}"))
                .unwrap_or_default()
        ),
    );
    if let Some(r) = &v.recheck {
        row(
            "再検証",
            "Re-check after resuming",
            format!(
                "{} window(s) verified before the interruption re-read ({} bytes) and compared by {} digest at {}: {}",
                r.windows,
                r.bytes,
                esc(&r.algorithm),
                esc(&when(&r.at)),
                if r.changed.is_empty() {
                    "unchanged".to_string()
                } else {
                    format!("{} CHANGED", r.changed.len())
                }
            ),
        );
    }
    if let Some(c) = &d.crypto_erase {
        row(
            "鍵領域の破壊",
            "Key material destroyed",
            format!(
                "{} {} — bytes {}..{} ({} key holder(s)); header parses after: {}",
                esc(&c.format),
                opt(&c.uuid),
                c.destroyed.start,
                c.destroyed.end,
                c.key_holders,
                if c.header_parses_after { "YES" } else { "no" }
            ),
        );
        row(
            "データ領域の標本",
            "Data area sample",
            match &c.data_sample {
                Some(x) => format!(
                    "bytes {}..{}: {} sectors sampled (seed {:#018x}): {} ciphertext-like, {} never written, {} readable{}",
                    c.data_left.start,
                    c.data_left.end,
                    x.sectors,
                    x.seed,
                    x.ciphertext_like,
                    x.unwritten,
                    x.readable,
                    x.first_readable
                        .map(|b| format!(" (first at byte {b})"))
                        .unwrap_or_default()
                ),
                None => "— (not sampled)".into(),
            },
        );
    }
    row("書込み量", "Bytes written", sizes(d.outcome.bytes_written));
    row(
        "到達できなかった領域",
        "Not reached",
        d.sanitization
            .not_reached
            .iter()
            .map(|n| esc(n))
            .collect::<Vec<_>>()
            .join("<br>"),
    );
    row(
        "開始・終了",
        "Started / finished",
        format!(
            "{}<br>— {}{}",
            esc(&when(&d.sanitization.started)),
            esc(&when(&d.sanitization.finished)),
            d.sanitization
                .resumed
                .iter()
                .map(|r| format!("<br>resumed {}", esc(&when(r))))
                .collect::<String>()
        ),
    );
    row(
        "使用アルゴリズム",
        "Algorithms (CRYPTREC verdicts)",
        d.policy
            .algorithms
            .iter()
            .map(|a| {
                format!(
                    "{} — {} ({})",
                    esc(&a.algorithm),
                    esc(&a.verdict),
                    esc(&a.purpose)
                )
            })
            .collect::<Vec<_>>()
            .join("<br>"),
    );
    row(
        "ツール",
        "Tool",
        format!(
            "{} {} on {} (kernel {}), policy {} ({})",
            esc(&d.tool.name),
            esc(&d.tool.version),
            esc(&d.tool.host),
            esc(&d.tool.kernel),
            esc(&d.policy.name),
            esc(&d.policy.dataset)
        ),
    );
    if let Some(m) = &d.tool.machine {
        row("機器", "Machine", esc(&m.to_string()));
    }
    row("備考", "Notes", opt(&c.notes));
    let invalid = !check.problems.is_empty();
    // Repeated on every printed page (fixed elements are, in Chromium's print layout).
    let marks = if invalid {
        "<div class=\"void\" id=\"void\" aria-hidden=\"true\">無効 NOT VALID</div>\n<div class=\"pagemark bad\" id=\"pagemark\">署名検証: 無効 — NOT VALID: this certificate did not verify; do not file it as a record of erasure</div>"
    } else {
        ""
    };
    let signer = esc(&check
        .verdict
        .signature
        .signer
        .as_ref()
        .map(|s| s.subject.clone())
        .unwrap_or_default());
    let status = if invalid {
        format!(
            "<p class=\"bad\" id=\"status\">署名検証: 無効 — NOT VALID: {}</p>",
            esc(&check.problems.join("; "))
        )
    } else if check.anchored {
        format!(
            "<p class=\"ok\" id=\"status\">署名検証: 有効 — Signature verified: valid ({signer})</p>"
        )
    } else {
        format!(
            "<p class=\"warn\" id=\"status\">署名者は未確認 — The signature over these exact bytes verifies with the embedded signer certificate ({signer}) and the document is consistent; signer not checked against a trust anchor: run <code>kagi certificate verify --trust CA</code></p>"
        )
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8">
<title>データ消去証明書 / Certificate of Sanitization {id}</title>
<style>
body {{ font-family: "Noto Sans CJK JP", "IPAexGothic", sans-serif; margin: 2em; color: #111; }}
h1 {{ font-size: 1.4em; margin-bottom: 0.2em; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border: 1px solid #666; padding: 0.35em 0.6em; vertical-align: top; text-align: left; }}
th {{ width: 28%; background: #f0f0f0; font-weight: normal; }}
.en {{ color: #444; font-size: 0.85em; }}
code {{ font-size: 0.8em; word-break: break-all; }}
.ok {{ color: #060; font-weight: bold; }} .bad {{ color: #a00; font-weight: bold; }} .warn {{ color: #850; }}
.sign td {{ height: 3em; }}
.seals {{ margin-top: 1em; }}
.seals td {{ width: 50%; text-align: center; }}
.seal {{ display: inline-block; width: 2.6cm; height: 2.6cm; border: 1px solid #333; margin: 0.4em; }}
.void {{ position: fixed; top: 38%; left: 0; right: 0; text-align: center; font-size: 6em; font-weight: bold;
  color: rgba(170, 0, 0, 0.22); transform: rotate(-28deg); pointer-events: none; z-index: 10; }}
.pagemark {{ position: fixed; bottom: 0; left: 0; right: 0; text-align: center; background: #fff; font-size: 0.9em; }}
@media print {{ body {{ margin: 1cm; }} }}
</style></head>
<body>
{marks}
<h1>データ消去証明書 <span class="en">Certificate of Sanitization</span></h1>
{status}
<table>
{rows}
</table>
<p class="en">この印刷物は参照用であり、正本は署名付き電子ファイルです。 This page is a rendering for the paper file; the authoritative record is the signed file
<code>{file}</code> (SHA-256 <code>{hash}</code>). Verify it with <code>kagi certificate verify</code> or with openssl (docs/CERTIFICATE.md).</p>
<table class="seals">
<tr><th>作業者 押印欄<br><span class="en">Operator: seal or signature</span></th><th>承認者 押印欄<br><span class="en">Approver: seal or signature</span></th></tr>
<tr><td><span class="seal" id="seal-operator"></span><br>氏名 Name: {operator}<br>日付 Date: ____年__月__日</td>
<td><span class="seal" id="seal-approver"></span><br>氏名 Name: ______________<br>日付 Date: ____年__月__日</td></tr>
</table>
<table class="sign">
<tr><th>確認者 署名・日付<br><span class="en">Validated by (signature, date)</span></th><td></td></tr>
</table>
</body></html>
"#,
        id = esc(&d.id),
        marks = marks,
        operator = esc(&c.operator),
        status = status,
        rows = rows.join("\n"),
        file = esc(&file.display().to_string()),
        hash = esc(hash),
    )
}

pub fn ledger(cmd: LedgerCommand) -> Result<Outcome, CliError> {
    let provider = provider(match &cmd {
        LedgerCommand::Verify { policy, .. } | LedgerCommand::Export { policy, .. } => policy,
    })?;
    let locate = |l: Option<PathBuf>, s: crate::args::StateArgs| {
        l.unwrap_or_else(|| {
            Ledger::in_dir(&s.state_dir.unwrap_or_else(erase::state_dir::default_dir))
                .path()
                .to_path_buf()
        })
    };
    match cmd {
        LedgerCommand::Verify {
            ledger: l,
            state,
            head,
            certificates,
            json,
            policy: _,
        } => {
            let path = locate(l, state);
            if !path.exists() {
                return Err(CliError::Msg(format!(
                    "{}: no ledger (no certificate has been issued here)",
                    path.display()
                )));
            }
            let led = Ledger::new(&path);
            let mut c = led.check(&provider).map_err(err)?;
            let entries = if c.problems.is_empty() {
                led.entries().map_err(err)?
            } else {
                Vec::new()
            };
            if let Some(h) = &head
                && c.problems.is_empty()
                && h != ledger::GENESIS
                && !entries.iter().any(|e| &e.hash == h)
            {
                c.problems.push(format!(
                    "the recorded head {h} is not in the ledger: entries were removed from its end, or this is another ledger"
                ));
            }
            let mut checked_certs = 0;
            if let Some(dir) = &certificates {
                for f in expand(std::slice::from_ref(dir))? {
                    checked_certs += 1;
                    let bytes = files::read(&f)?;
                    let Ok(sealed) = certificate::open(&bytes) else {
                        c.problems
                            .push(format!("{}: not a certificate", f.display()));
                        continue;
                    };
                    let sha = certificate::file_hash(&provider, &bytes).map_err(err)?;
                    let pos = sealed.document.ledger.as_ref();
                    let found = entries.iter().find(|e| e.certificate_sha256 == sha);
                    match (pos, found) {
                        (Some(p), Some(e)) if p.seq == e.seq && p.prev == e.prev => {}
                        (_, Some(e)) => c.problems.push(format!(
                            "{}: recorded as entry {}, but it names another position",
                            f.display(),
                            e.seq
                        )),
                        (_, None) => c.problems.push(format!(
                            "{}: not in the ledger (entry {} missing or the file changed)",
                            f.display(),
                            pos.map(|p| p.seq.to_string()).unwrap_or("?".into())
                        )),
                    }
                }
            }
            let ok = c.problems.is_empty();
            if json {
                print_json(&json!({"ledger": path, "intact": ok, "entries": c.entries,
                    "head": c.head, "certificates_checked": checked_certs, "problems": c.problems}))?;
            } else {
                let mut s = format!(
                    "{}: {} — {} entries, head {}\n",
                    if ok { "intact" } else { "BROKEN" },
                    path.display(),
                    c.entries,
                    c.head
                );
                if certificates.is_some() {
                    let _ = writeln!(s, "  {checked_certs} certificates checked against it");
                }
                for p in &c.problems {
                    let _ = writeln!(s, "  problem: {p}");
                }
                print(&s)?;
            }
            Ok(if ok { Outcome::Yes } else { Outcome::No })
        }
        LedgerCommand::Export {
            ledger: l,
            state,
            out,
            policy: _,
        } => {
            let path = locate(l, state);
            let bytes = files::read(&path)?;
            let text = String::from_utf8(bytes.clone())
                .map_err(|_| CliError::Msg(format!("{}: not UTF-8", path.display())))?;
            let c = ledger::check(&provider, &text).map_err(err)?;
            match &out {
                Some(o) => files::write_new(o, &bytes, Mode::Public, false)?,
                None => print(&text)?,
            }
            eprintln!(
                "kagi: {} entries, head {}{} — keep the head: `kagi ledger verify --head {}` later shows entries removed from the end",
                c.entries,
                c.head,
                if c.problems.is_empty() {
                    String::new()
                } else {
                    format!(" (BROKEN: {})", c.problems[0])
                },
                c.head
            );
            Ok(if c.problems.is_empty() {
                Outcome::Yes
            } else {
                Outcome::No
            })
        }
    }
}
