package sc.fiji.stylecrafter.clip;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

/**
 * OpenCLIP's byte-level BPE tokenizer ({@code open_clip.tokenizer.SimpleTokenizer}): the same ids for any string.
 * Reads the vocabulary the user has: {@code bpe_simple_vocab_16e6.txt.gz}, or {@code vocab.json} + {@code merges.txt}.
 * Thread-safe.
 */
public final class ClipTokenizer {

	public static final String START = "<start_of_text>";
	public static final String END = "<end_of_text>";
	public static final int CONTEXT_LENGTH = ClipTextConfig.VIT_H_14.contextLength();
	private static final int MERGES = 49152 - 256 - 2;

	private static final Pattern TOKEN = Pattern.compile(
		"<start_of_text>|<end_of_text>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+",
		Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS);

	private final Map<String, Integer> encoder;
	private final Map<String, Integer> ranks;
	private final String[] byteEncoder = bytesToUnicode();
	private final Map<String, String> cache = new ConcurrentHashMap<>();
	private final int startId;
	private final int endId;

	private ClipTokenizer(Map<String, Integer> encoder, Map<String, Integer> ranks) {
		this.encoder = encoder;
		this.ranks = ranks;
		this.startId = encoder.get(START);
		this.endId = encoder.get(END);
		cache.put(START, START);
		cache.put(END, END);
	}

	/**
	 * Reads the vocabulary from a folder ({@code bpe_simple_vocab_16e6.txt.gz}, else {@code vocab.json} +
	 * {@code merges.txt}) or from one of those files.
	 *
	 * @throws NoSuchFileException naming what was looked for when there is no vocabulary
	 */
	public static ClipTokenizer load(Path where) throws IOException {
		if (Files.isDirectory(where)) {
			Path gz = where.resolve("bpe_simple_vocab_16e6.txt.gz");
			if (Files.isRegularFile(gz)) return fromBpeGz(gz);
			Path vocab = where.resolve("vocab.json"), merges = where.resolve("merges.txt");
			if (Files.isRegularFile(vocab) && Files.isRegularFile(merges)) return fromVocabJson(vocab, merges);
			throw new NoSuchFileException(where.toString(), null,
				"no OpenCLIP tokenizer vocabulary: expected bpe_simple_vocab_16e6.txt.gz, or vocab.json and merges.txt");
		}
		if (!Files.isRegularFile(where)) throw new NoSuchFileException(where.toString(), null, "tokenizer vocabulary file not found");
		if (where.getFileName().toString().endsWith(".json")) return fromVocabJson(where, where.resolveSibling("merges.txt"));
		return fromBpeGz(where);
	}

	/** OpenCLIP's own file: the merges, from which the vocabulary is built as {@code SimpleTokenizer} builds it. */
	public static ClipTokenizer fromBpeGz(Path gz) throws IOException {
		List<String> merges = new ArrayList<>(MERGES);
		try (InputStream in = new GZIPInputStream(Files.newInputStream(gz));
			BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)))
		{
			r.readLine(); // version line
			for (String line; merges.size() < MERGES && (line = r.readLine()) != null;) merges.add(line);
		}
		catch (java.util.zip.ZipException e) {
			throw new IOException(gz + " is not a gzip file (expected OpenCLIP's bpe_simple_vocab_16e6.txt.gz)", e);
		}
		if (merges.size() < MERGES) throw new IOException(gz + " holds " + merges.size() + " merges, expected " + MERGES + " (truncated?)");
		Map<String, Integer> enc = new LinkedHashMap<>();
		String[] bytes = bytesToUnicode();
		int[] order = byteOrder();
		for (int b : order) enc.put(bytes[b], enc.size());
		for (int b : order) enc.put(bytes[b] + "</w>", enc.size());
		for (String m : merges) enc.put(m.replace(" ", ""), enc.size());
		enc.put(START, enc.size());
		enc.put(END, enc.size());
		return new ClipTokenizer(enc, ranks(merges, gz));
	}

	/** The Hugging Face files of the OpenCLIP ViT-H/14 download. */
	public static ClipTokenizer fromVocabJson(Path vocabJson, Path mergesTxt) throws IOException {
		if (!Files.isRegularFile(mergesTxt)) throw new NoSuchFileException(mergesTxt.toString(), null, "merges.txt must lie beside vocab.json");
		Map<String, Integer> enc = new HashMap<>();
		JsonObject o = JsonParser.parseString(Files.readString(vocabJson, StandardCharsets.UTF_8)).getAsJsonObject();
		for (Map.Entry<String, JsonElement> e : o.entrySet()) enc.put(e.getKey(), e.getValue().getAsInt());
		if (!enc.containsKey(START) || !enc.containsKey(END)) {
			throw new IOException(vocabJson + " lacks " + START + " / " + END + "; it is not an OpenCLIP vocabulary");
		}
		List<String> merges = new ArrayList<>();
		for (String line : Files.readAllLines(mergesTxt, StandardCharsets.UTF_8)) {
			if (line.startsWith("#version") || line.isBlank()) continue;
			merges.add(line);
		}
		return new ClipTokenizer(enc, ranks(merges, mergesTxt));
	}

	private static Map<String, Integer> ranks(List<String> merges, Path from) throws IOException {
		Map<String, Integer> r = new HashMap<>(merges.size() * 2);
		for (String m : merges) {
			String[] p = m.split(" ");
			if (p.length != 2) throw new IOException(from + ": malformed merge line '" + m + "'");
			r.putIfAbsent(p[0] + " " + p[1], r.size());
		}
		return r;
	}

	/** Byte values in the order {@code bytes_to_unicode} lists them (printable ranges first). */
	private static int[] byteOrder() {
		int[] out = new int[256];
		int n = 0;
		boolean[] seen = new boolean[256];
		for (int b = '!'; b <= '~'; b++) { out[n++] = b; seen[b] = true; }
		for (int b = 0xA1; b <= 0xAC; b++) { out[n++] = b; seen[b] = true; }
		for (int b = 0xAE; b <= 0xFF; b++) { out[n++] = b; seen[b] = true; }
		for (int b = 0; b < 256; b++) if (!seen[b]) out[n++] = b;
		return out;
	}

	/** GPT-2's reversible byte-to-character map. */
	private static String[] bytesToUnicode() {
		String[] map = new String[256];
		int extra = 0;
		for (int b = 0; b < 256; b++) {
			boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
			map[b] = new String(Character.toChars(printable ? b : 256 + extra++));
		}
		return map;
	}

	public int startId() {
		return startId;
	}

	public int endId() {
		return endId;
	}

	public int vocabularySize() {
		return encoder.size();
	}

	/** The BPE ids of the cleaned text, without start/end tokens. */
	public List<Integer> encode(String text) {
		List<Integer> ids = new ArrayList<>();
		Matcher m = TOKEN.matcher(TextCleaner.clean(text));
		while (m.find()) {
			StringBuilder sb = new StringBuilder();
			for (byte b : m.group().getBytes(StandardCharsets.UTF_8)) sb.append(byteEncoder[b & 0xFF]);
			for (String piece : bpe(sb.toString()).split(" ")) {
				Integer id = encoder.get(piece);
				if (id == null) throw new IllegalStateException("BPE piece '" + piece + "' is not in the vocabulary");
				ids.add(id);
			}
		}
		return ids;
	}

	/**
	 * {@code [start] + encode(text) + [end]}, truncated to {@code contextLength} keeping the end token last, zero padded.
	 */
	public long[] tokenize(String text, int contextLength) {
		List<Integer> ids = encode(text);
		long[] out = new long[contextLength];
		out[0] = startId;
		int n = Math.min(ids.size(), contextLength - 2);
		for (int i = 0; i < n; i++) out[i + 1] = ids.get(i);
		out[n + 1] = endId;
		return out;
	}

	public long[] tokenize(String text) {
		return tokenize(text, CONTEXT_LENGTH);
	}

	private String bpe(String token) {
		String hit = cache.get(token);
		if (hit != null) return hit;
		List<String> word = new ArrayList<>();
		int[] cps = token.codePoints().toArray();
		for (int i = 0; i < cps.length; i++) {
			String c = new String(Character.toChars(cps[i]));
			word.add(i == cps.length - 1 ? c + "</w>" : c);
		}
		if (word.size() == 1) {
			String w = word.get(0);
			cache.put(token, w);
			return w;
		}
		while (word.size() > 1) {
			int best = Integer.MAX_VALUE;
			String first = null, second = null;
			for (int i = 0; i + 1 < word.size(); i++) {
				Integer r = ranks.get(word.get(i) + " " + word.get(i + 1));
				if (r != null && r < best) {
					best = r;
					first = word.get(i);
					second = word.get(i + 1);
				}
			}
			if (first == null) break;
			List<String> merged = new ArrayList<>(word.size());
			for (int i = 0; i < word.size();) {
				if (i + 1 < word.size() && word.get(i).equals(first) && word.get(i + 1).equals(second)) {
					merged.add(first + second);
					i += 2;
				}
				else {
					merged.add(word.get(i));
					i++;
				}
			}
			word = merged;
		}
		String out = String.join(" ", word);
		if (cache.size() < 100_000) cache.put(token, out);
		return out;
	}
}
