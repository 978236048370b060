package sc.fiji.stylecrafter.clip;

import java.text.Normalizer;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text cleaning OpenCLIP applies before tokenizing ({@code basic_clean} then {@code whitespace_clean}, then lower
 * case): the parts of {@code ftfy.fix_text} that matter for prompts, HTML entities unescaped twice, whitespace
 * collapsed and trimmed.
 *
 * <p>Of ftfy this does: line breaks, C0/C1 control characters removed, Latin ligatures expanded, full-width characters
 * to half width, curly quotes straightened, NFC. It does not repair mojibake (text that was decoded with the wrong
 * encoding), which ftfy detects heuristically; such prompts may tokenize differently.
 */
public final class TextCleaner {

	private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
	private static final Pattern ENTITY = Pattern.compile("&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;)");
	private static final Map<String, String> ENTITIES = Map.ofEntries(Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"),
		Map.entry("quot", "\""), Map.entry("apos", "'"), Map.entry("nbsp", "\u00a0"), Map.entry("copy", "\u00a9"), Map.entry("reg", "\u00ae"),
		Map.entry("trade", "\u2122"), Map.entry("hellip", "\u2026"), Map.entry("mdash", "\u2014"), Map.entry("ndash", "\u2013"),
		Map.entry("lsquo", "\u2018"), Map.entry("rsquo", "\u2019"), Map.entry("ldquo", "\u201c"), Map.entry("rdquo", "\u201d"),
		Map.entry("laquo", "\u00ab"), Map.entry("raquo", "\u00bb"), Map.entry("deg", "\u00b0"), Map.entry("times", "\u00d7"),
		Map.entry("divide", "\u00f7"), Map.entry("euro", "\u20ac"), Map.entry("pound", "\u00a3"), Map.entry("yen", "\u00a5"),
		Map.entry("cent", "\u00a2"), Map.entry("sect", "\u00a7"), Map.entry("para", "\u00b6"), Map.entry("middot", "\u00b7"),
		Map.entry("bull", "\u2022"), Map.entry("eacute", "\u00e9"), Map.entry("egrave", "\u00e8"), Map.entry("agrave", "\u00e0"),
		Map.entry("uuml", "\u00fc"), Map.entry("ouml", "\u00f6"), Map.entry("auml", "\u00e4"), Map.entry("szlig", "\u00df"),
		Map.entry("ntilde", "\u00f1"), Map.entry("ccedil", "\u00e7"), Map.entry("iexcl", "\u00a1"), Map.entry("iquest", "\u00bf"));

	private TextCleaner() {}

	/** {@code whitespace_clean(basic_clean(text)).lower()}. */
	public static String clean(String text) {
		String t = fixText(text);
		t = unescapeHtml(unescapeHtml(t));
		t = WHITESPACE.matcher(t).replaceAll(" ");
		t = trim(t);
		return t.toLowerCase(java.util.Locale.ROOT);
	}

	/** The subset of {@code ftfy.fix_text} described in the class comment. */
	static String fixText(String text) {
		String t = text.replace("\r\n", "\n").replace('\r', '\n').replace('\u2028', '\n').replace('\u2029', '\n').replace('\u0085', '\n');
		StringBuilder sb = new StringBuilder(t.length());
		t.codePoints().forEach(cp -> {
			if (isRemovedControl(cp)) return;
			switch (cp) {
				case 0x2018: case 0x2019: case 0x201a: case 0x201b: sb.append('\''); return; // uncurl quotes
				case 0x201c: case 0x201d: case 0x201e: case 0x201f: sb.append('"'); return;
				case 0xfb00: sb.append("ff"); return; // Latin ligatures
				case 0xfb01: sb.append("fi"); return;
				case 0xfb02: sb.append("fl"); return;
				case 0xfb03: sb.append("ffi"); return;
				case 0xfb04: sb.append("ffl"); return;
				case 0xfb05: case 0xfb06: sb.append("st"); return;
				case 0x0132: sb.append("IJ"); return;
				case 0x0133: sb.append("ij"); return;
				case 0x01c7: sb.append("LJ"); return;
				case 0x01c8: sb.append("Lj"); return;
				case 0x01c9: sb.append("lj"); return;
				case 0x01ca: sb.append("NJ"); return;
				case 0x01cb: sb.append("Nj"); return;
				case 0x01cc: sb.append("nj"); return;
				case 0x3000: sb.append(' '); return; // ideographic space -> space (character width)
				default: break;
			}
			if (cp >= 0xff01 && cp <= 0xff5e) sb.appendCodePoint(cp - 0xff01 + 0x21); // full width -> ASCII
			else sb.appendCodePoint(cp);
		});
		return Normalizer.normalize(sb, Normalizer.Form.NFC);
	}

	/** ftfy's remove_control_chars and fix_c1_controls: C0 except tab/newline/form feed, DEL, C1, BOM and a few format chars. */
	private static boolean isRemovedControl(int cp) {
		return (cp <= 0x08) || cp == 0x0b || (cp >= 0x0e && cp <= 0x1f) || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f && cp != 0x85)
			|| cp == 0xfeff || (cp >= 0x206a && cp <= 0x206f) || (cp >= 0xfff9 && cp <= 0xfffc) || (cp >= 0x1d173 && cp <= 0x1d17a)
			|| (cp >= 0xe0000 && cp <= 0xe007f);
	}

	/** Python's {@code html.unescape} for numeric references and the common named entities. */
	static String unescapeHtml(String s) {
		if (s.indexOf('&') < 0) return s;
		Matcher m = ENTITY.matcher(s);
		StringBuilder sb = new StringBuilder();
		while (m.find()) {
			String e = m.group(1);
			String rep = null;
			if (e.startsWith("#")) {
				String num = e.endsWith(";") ? e.substring(1, e.length() - 1) : e.substring(1);
				try {
					int cp = num.startsWith("x") || num.startsWith("X") ? Integer.parseInt(num.substring(1), 16) : Integer.parseInt(num);
					rep = cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) ? "\uFFFD" : new String(Character.toChars(cp));
				}
				catch (NumberFormatException ex) {
					rep = "\uFFFD";
				}
			}
			else {
				rep = ENTITIES.get(e.substring(0, e.length() - 1));
			}
			m.appendReplacement(sb, Matcher.quoteReplacement(rep == null ? m.group() : rep));
		}
		m.appendTail(sb);
		return sb.toString();
	}

	/** Python's {@code str.strip()}: Unicode whitespace at both ends. */
	static String trim(String s) {
		int a = 0, b = s.length();
		while (a < b && isPyWhitespace(s.charAt(a))) a++;
		while (b > a && isPyWhitespace(s.charAt(b - 1))) b--;
		return s.substring(a, b);
	}

	private static boolean isPyWhitespace(char c) {
		return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
	}
}
