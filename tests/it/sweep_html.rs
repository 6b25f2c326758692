//! The sweep's HTML report for triage: a per-repository summary first (most severe, new,
//! fixed since the last run, owners), owners merged case-insensitively, a page that uses the
//! full width of the window (checked on screenshots by headless Chromium at 1400 and 800 px),
//! "fixed since the last run", and client-side search and filters (checked by typing into the
//! search box in headless Chromium).

use super::common::{Fixture, acme_rules, acme_token, git_in};
use std::path::{Path, PathBuf};
use std::process::Command;

fn commit_as(dir: &Path, file: &str, text: Option<&str>, who: (&str, &str), day: u32) {
    std::fs::create_dir_all(dir).unwrap();
    if !dir.join(".git").exists() {
        git_in(
            dir,
            &["init", "-q", "-b", "main"],
            who.0,
            who.1,
            "2024-06-01T00:00:00Z",
        );
    }
    match text {
        Some(t) => {
            std::fs::create_dir_all(dir.join(file).parent().unwrap()).unwrap();
            std::fs::write(dir.join(file), t).unwrap()
        }
        None => std::fs::remove_file(dir.join(file)).unwrap(),
    }
    let date = format!("2024-06-{day:02}T10:00:00Z");
    git_in(dir, &["add", "-A"], who.0, who.1, &date);
    git_in(dir, &["commit", "-q", "-m", "change"], who.0, who.1, &date);
}

fn sweep_html(fx: &Fixture, rules: &str, html: &str) -> String {
    let status = Command::new(assert_cmd::cargo::cargo_bin("keytrace"))
        .args([
            "sweep",
            "--repos-dir",
            "repos",
            "--state",
            "s.db",
            "--rules",
            rules,
        ])
        .args([
            "--format",
            "json",
            "-o",
            "r.json",
            "--no-progress",
            "--html",
            html,
        ])
        .current_dir(fx.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1));
    std::fs::read_to_string(fx.path().join(html)).unwrap()
}

/// The `<tr>` of repository `name` in the repositories section.
fn repo_row<'a>(html: &'a str, name: &str) -> &'a str {
    let start = html
        .find(&format!("/repos/{name}\"><td>"))
        .unwrap_or_else(|| panic!("no row for {name}"));
    &html[start..start + html[start..].find("</tr>").unwrap()]
}

fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    &html[html.find(from).unwrap()..html.find(to).unwrap()]
}

#[test]
fn repositories_come_first_with_fixed_counts_and_owners_merged_case_insensitively() {
    let fx = Fixture::new();
    let rules = acme_rules(&fx);
    let payments = fx.path().join("repos/payments");
    let billing = fx.path().join("repos/billing");
    let key = |n| format!("K={}\n", acme_token(n));
    commit_as(
        &payments,
        "a.env",
        Some(&key(1)),
        ("Alice", "Alice@Example.com"),
        1,
    );
    commit_as(
        &payments,
        "b.env",
        Some(&key(2)),
        ("alice", "alice@example.com"),
        2,
    );
    commit_as(
        &billing,
        "c.env",
        Some(&key(3)),
        ("Bob", "bob@example.com"),
        1,
    );
    commit_as(
        &billing,
        "d.env",
        Some(&key(4)),
        ("Bob", "bob@example.com"),
        2,
    );
    // Alice's old address, merged into her current one by the repository's .mailmap.
    commit_as(
        &payments,
        ".mailmap",
        Some("Alice <alice@example.com> <alice.old@example.com>\n"),
        ("Alice", "alice@example.com"),
        3,
    );
    commit_as(
        &payments,
        "e.env",
        Some(&key(9)),
        ("Alice", "alice.old@example.com"),
        4,
    );
    // Test fixtures, vendored code and rule data: listed apart, not among findings to triage.
    let tools = fx.path().join("repos/tools");
    let bob = ("Bob", "bob@example.com");
    commit_as(&tools, "tests/fixtures/login.env", Some(&key(5)), bob, 1);
    commit_as(&tools, "vendor/lib/conf.env", Some(&key(6)), bob, 2);
    commit_as(
        &tools,
        "rules/acme.toml",
        Some(&format!("examples = [\"{}\"]\n", acme_token(7))),
        bob,
        3,
    );
    commit_as(&tools, "src/app.env", Some(&key(8)), bob, 4);

    let first = sweep_html(&fx, &rules, "first.html");
    assert!(
        first.find("id=\"repositories\"").unwrap() < first.find("id=\"new\"").unwrap(),
        "the per-repository summary comes before the findings"
    );
    let new = between(&first, "id=\"new\"", "id=\"providers\"");
    assert_eq!(new.matches("class=\"owner-group\"").count(), 2, "{new}");
    assert_eq!(
        new.to_lowercase()
            .matches("data-owner=\"alice@example.com\"")
            .count(),
        1
    );
    assert!(new.contains("src/app.env"));
    let apart = between(&first, "id=\"apart\"", "</main>");
    for (kind, path) in [
        ("test fixture", "tests/fixtures/login.env"),
        ("vendored", "vendor/lib/conf.env"),
        ("rule data", "rules/acme.toml"),
    ] {
        assert!(
            !new.contains(path),
            "{path} is not among the new findings to triage"
        );
        let group = &apart[apart.find(&format!("data-kind=\"{kind}\"")).unwrap()..];
        let group = &group[..group.find("</details>").unwrap()];
        assert!(group.contains(path), "{kind}: {group}");
    }
    // Every group collapses.
    assert_eq!(
        new.matches("<details open class=\"owner-group\"").count(),
        2
    );
    let row = repo_row(&first, "payments");
    assert_eq!(
        row.to_lowercase().matches("alice@example.com").count(),
        1,
        "{row}"
    );
    assert!(row.contains("sev-high"), "{row}");

    assert!(
        between(&first, "id=\"fixed\"", "id=\"providers\"")
            .contains("Nothing fixed since the last run."),
        "a first run has nothing fixed"
    );

    commit_as(&billing, "c.env", None, ("Bob", "bob@example.com"), 3);
    let second = sweep_html(&fx, &rules, "second.html");
    assert!(repo_row(&second, "billing").contains("class=\"n fixed\">1<"));
    assert!(repo_row(&second, "payments").contains("class=\"n fixed\">0<"));
    let fixed = between(&second, "id=\"fixed\"", "id=\"providers\"");
    assert_eq!(fixed.matches("<tr class=\"finding\"").count(), 1, "{fixed}");
    assert!(
        fixed.contains("<code>c.env:1</code>") && fixed.contains("removed-from-head"),
        "{fixed}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fx.path().join("r.json")).unwrap()).unwrap();
    let flagged: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["fixed_since_last_run"] == true)
        .map(|f| f["location"]["path"].as_str().unwrap())
        .collect();
    assert_eq!(flagged, ["c.env"], "the JSON report says it too");

    // The next run has nothing new to say: c.env stays removed-from-head, but it is not fixed
    // since *this* last run.
    let third = sweep_html(&fx, &rules, "third.html");
    assert!(
        between(&third, "id=\"fixed\"", "id=\"providers\"")
            .contains("Nothing fixed since the last run."),
        "{third}"
    );
    assert!(repo_row(&third, "billing").contains("class=\"n fixed\">0<"));
    assert!(
        third.contains("<code>c.env:1</code>"),
        "still listed as a leak"
    );

    // A run killed after committing billing and before writing its reports leaves the move
    // unshown (as the state records it): the next run that writes its reports lists it, once.
    let db = rusqlite::Connection::open(fx.path().join("s.db")).unwrap();
    let marked = db
        .execute(
            "UPDATE findings SET fixed_shown = 0 WHERE path = 'c.env'",
            [],
        )
        .unwrap();
    assert_eq!(marked, 1);
    drop(db);
    let rerun = sweep_html(&fx, &rules, "rerun.html");
    assert!(
        between(&rerun, "id=\"fixed\"", "id=\"providers\"").contains("<code>c.env:1</code>"),
        "{rerun}"
    );
    let after = sweep_html(&fx, &rules, "after.html");
    assert!(
        between(&after, "id=\"fixed\"", "id=\"providers\"")
            .contains("Nothing fixed since the last run.")
    );

    screenshots_fill_the_width(&fx.path().join("second.html"), fx.path());
}

fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|n| ["/usr/bin", "/usr/local/bin"].map(|d| Path::new(d).join(n)))
        .find(|p| p.is_file())
}

/// Decode an 8-bit RGB/RGBA PNG with Python's zlib and report whether any pixel of column `x`
/// is pure white (a section's background; the page around sections is #f6f7f9).
const WHITE_IN_COLUMN: &str = r#"
import sys, zlib, struct
data = open(sys.argv[1], 'rb').read()
x = int(sys.argv[2])
pos, idat = 8, b''
while pos < len(data):
    n, kind = struct.unpack('>I4s', data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        w, h, depth, color = struct.unpack('>IIBB', body[:10])
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
bpp = {2: 3, 6: 4}[color]
raw, stride, prev, found = zlib.decompress(idat), w * bpp, bytearray(w * bpp), False
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    if tuple(line[x * bpp:x * bpp + 3]) == (255, 255, 255):
        found = True
    prev = line
print('white' if found else 'none', w, h)
"#;

fn screenshots_fill_the_width(page: &Path, dir: &Path) {
    let Some(bin) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is required in CI (.ci/run installs it)"
        );
        eprintln!("skipped: chromium not installed");
        return;
    };
    for width in [1400u32, 800] {
        let png = dir.join(format!("shot-{width}.png"));
        let out = Command::new(&bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
            ])
            .arg(format!("--user-data-dir={}", dir.join("profile").display()))
            .arg(format!("--screenshot={}", png.display()))
            .arg(format!("--window-size={width},1200"))
            .arg(format!("file://{}", page.display()))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // 40 px from the right edge: inside a section only when sections span the window
        // (28 px page padding); a page capped narrower shows its grey background there.
        let x = (width - 40).to_string();
        let out = Command::new("python3")
            .args(["-c", WHITE_IN_COLUMN, &png.display().to_string(), &x])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(text.trim(), format!("white {width} 1200"), "at {width} px");
    }
}

/// Two repositories with two owners: `billing` (Bob: `c.env`, `d.env`) and `payments` (Alice:
/// `a.env`). Returns the HTML of a sweep over them.
fn two_team_page(fx: &Fixture) -> String {
    let rules = acme_rules(fx);
    let key = |n| format!("K={}\n", acme_token(n));
    let bob = ("Bob", "bob@example.com");
    let alice = ("Alice", "alice@example.com");
    commit_as(
        &fx.path().join("repos/billing"),
        "c.env",
        Some(&key(3)),
        bob,
        1,
    );
    commit_as(
        &fx.path().join("repos/billing"),
        "d.env",
        Some(&key(4)),
        bob,
        2,
    );
    commit_as(
        &fx.path().join("repos/payments"),
        "a.env",
        Some(&key(1)),
        alice,
        1,
    );
    sweep_html(fx, &rules, "page.html")
}

#[test]
fn the_page_has_a_search_box_and_severity_and_repository_filters() {
    let fx = Fixture::new();
    let html = two_team_page(&fx);
    let bar = between(&html, "id=\"filters\"", "id=\"repositories\"");
    assert!(
        bar.contains("<input type=\"search\" id=\"f-search\""),
        "{bar}"
    );
    for sev in ["critical", "high", "medium", "low", "info"] {
        assert!(
            bar.contains(&format!("<option value=\"{sev}\">")),
            "{sev}: {bar}"
        );
    }
    let repos = &bar[bar.find("id=\"f-repo\"").unwrap()..];
    for name in ["billing", "payments"] {
        assert!(
            repos.contains(&format!("/repos/{name}\">")),
            "{name} is a repository option: {repos}"
        );
    }
    // Every findings row carries what the filters compare; the script is inline and nothing
    // is fetched.
    let row = &html[html
        .find("<tr class=\"finding\" data-sev=\"high\" data-repo=\"")
        .unwrap()..];
    let row = &row[..row.find('>').unwrap()];
    assert!(
        row.contains("/repos/") && row.contains("data-text=\"acme-api-key "),
        "{row}"
    );
    assert_eq!(html.matches("<script").count(), 1);
    assert!(!html.contains(" src=") && !html.contains("<link"));
}

/// The rows of `tr.finding` in Chromium's DOM dump: (data-text, hidden).
fn finding_rows(dom: &str) -> Vec<(String, bool)> {
    dom.match_indices("<tr class=\"finding\"")
        .map(|(i, _)| {
            let tag = &dom[i..i + dom[i..].find('>').unwrap()];
            let text = tag.split("data-text=\"").nth(1).unwrap();
            let text = text[..text.find('"').unwrap()].to_string();
            (text, tag.contains(" hidden"))
        })
        .collect()
}

#[test]
fn typing_in_the_search_box_hides_rows_that_do_not_match_in_headless_chromium() {
    let Some(bin) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "chromium is required in CI (.ci/run installs it)"
        );
        eprintln!(
            "SKIPPED typing_in_the_search_box_hides_rows_that_do_not_match_in_headless_chromium: chromium not installed"
        );
        return;
    };
    let fx = Fixture::new();
    let html = two_team_page(&fx);
    // Types "d.env" one key at a time, as a user would (each key an `input` event), once the
    // page's own script has run; then marks the body so the dump shows this ran.
    let typist = "<script>(function () { var q = document.getElementById('f-search'); \
        'd.env'.split('').forEach(function (c) { q.value += c; \
        q.dispatchEvent(new Event('input', { bubbles: true })); }); \
        document.body.setAttribute('data-typed', q.value); })();</script></body>";
    let page = fx.path().join("typed.html");
    std::fs::write(&page, html.replacen("</body>", typist, 1)).unwrap();
    let out = Command::new(&bin)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!(
            "--user-data-dir={}",
            fx.path().join("profile").display()
        ))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(
        dom.contains("data-typed=\"d.env\""),
        "the typing ran: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = finding_rows(&dom);
    let shown: Vec<&(String, bool)> = rows.iter().filter(|(_, hidden)| !hidden).collect();
    assert!(!shown.is_empty(), "{rows:?}");
    assert!(shown.iter().all(|(t, _)| t.contains("d.env")), "{shown:?}");
    let hidden: Vec<&(String, bool)> = rows.iter().filter(|(_, hidden)| *hidden).collect();
    for path in ["c.env", "a.env"] {
        assert!(
            hidden.iter().any(|(t, _)| t.contains(path)),
            "{path} is hidden: {rows:?}"
        );
    }
    assert!(
        rows.iter().all(|(t, h)| t.contains("d.env") != *h),
        "{rows:?}"
    );
    // Alice's owner groups hold no match: they are hidden as a whole.
    let at = dom.find("data-owner=\"alice@example.com\"").unwrap();
    let start = dom[..at].rfind("<details").unwrap();
    let tag = &dom[start..start + dom[start..].find('>').unwrap()];
    assert!(tag.contains(" hidden"), "{tag}");
    assert!(
        dom.contains("matching rows"),
        "the count of matches is shown"
    );
}
