package sc.fiji.stylecrafter.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Tokenizer behaviour on a small vocabulary made here (vocab.json + merges.txt in OpenCLIP's id layout). */
class ClipTokenizerTest {

	@TempDir
	static Path dir;
	static ClipTokenizer tok;
	static JsonObject vocab;

	@BeforeAll
	static void makeVocabulary() throws IOException {
		// ids as SimpleTokenizer assigns them: 256 byte symbols, 256 with </w>, merges, then the two specials
		List<String> symbols = new ArrayList<>();
		for (int b = '!'; b <= '~'; b++) symbols.add(Character.toString(b));
		for (int b = 0xA1; b <= 0xAC; b++) symbols.add(Character.toString(b));
		for (int b = 0xAE; b <= 0xFF; b++) symbols.add(Character.toString(b));
		for (int n = 0; symbols.size() < 256; n++) symbols.add(Character.toString(256 + n));
		List<String> merges = List.of("l l", "h e", "o </w>", "he ll", "w o", "r l", "rl d</w>", "wo rld</w>", "hell o</w>", "d </w>");
		vocab = new JsonObject();
		int id = 0;
		for (String s : symbols) vocab.addProperty(s, id++);
		for (String s : symbols) vocab.addProperty(s + "</w>", id++);
		for (String m : merges) vocab.addProperty(m.replace(" ", ""), id++);
		vocab.addProperty(ClipTokenizer.START, id++);
		vocab.addProperty(ClipTokenizer.END, id);
		Files.writeString(dir.resolve("vocab.json"), vocab.toString());
		Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n" + String.join("\n", merges) + "\n");
		tok = ClipTokenizer.load(dir);
	}

	private static int id(String piece) {
		return vocab.get(piece).getAsInt();
	}

	@Test
	void mergesWordsAsBpe() {
		assertEquals(List.of(id("hello</w>"), id("world</w>")), tok.encode("hello world"));
		// no merge for 'x': byte symbols, the last with </w>
		assertEquals(List.of(id("x"), id("y</w>")), tok.encode("xy"));
	}

	@Test
	void cleansCaseWhitespaceAndEntities() {
		assertEquals(tok.encode("hello world"), tok.encode("  HELLO\t\n  World "));
		assertEquals(List.of(id("&</w>")), tok.encode("&amp;"));
		assertEquals(List.of(id("&</w>")), tok.encode("&amp;amp;")); // unescaped twice, as OpenCLIP does
		assertEquals(tok.encode("'"), tok.encode("\u2019")); // curly quote straightened
		assertEquals(tok.encode("fi"), tok.encode("\ufb01")); // ligature expanded
		assertEquals(tok.encode("a"), tok.encode("\uff41")); // full width to ASCII
	}

	@Test
	void startEndPaddingAndTruncation() {
		long[] t = tok.tokenize("hello");
		assertEquals(77, t.length);
		assertEquals(tok.startId(), t[0]);
		assertEquals(id("hello</w>"), t[1]);
		assertEquals(tok.endId(), t[2]);
		for (int i = 3; i < 77; i++) assertEquals(0, t[i]);
		long[] empty = tok.tokenize("");
		assertArrayEquals(new long[] { tok.startId(), tok.endId(), 0 }, java.util.Arrays.copyOf(empty, 3));
		long[] longPrompt = tok.tokenize("hello ".repeat(200));
		assertEquals(77, longPrompt.length);
		assertEquals(tok.startId(), longPrompt[0]);
		assertEquals(tok.endId(), longPrompt[76]); // the end token survives truncation
		for (int i = 1; i < 76; i++) assertEquals(id("hello</w>"), longPrompt[i]);
	}

	@Test
	void literalSpecialTokensMapToTheirIds() {
		assertEquals(List.of(tok.startId(), id("hello</w>"), tok.endId()), tok.encode("<start_of_text> hello <END_OF_TEXT>"));
	}

	@Test
	void missingOrBrokenVocabularyIsAClearError() throws IOException {
		Path empty = Files.createDirectories(dir.resolve("empty"));
		NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> ClipTokenizer.load(empty));
		assertTrue(e.getMessage().contains("bpe_simple_vocab_16e6.txt.gz"), e.getMessage());
		Path gz = dir.resolve("bpe_simple_vocab_16e6.txt.gz");
		try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(gz))) {
			o.write("#version\nh e\n".getBytes(StandardCharsets.UTF_8));
		}
		IOException t = assertThrows(IOException.class, () -> ClipTokenizer.load(gz));
		assertTrue(t.getMessage().contains("truncated"), t.getMessage());
		Path notGz = Files.writeString(dir.resolve("plain.txt.gz"), "not gzip");
		assertTrue(assertThrows(IOException.class, () -> ClipTokenizer.load(notGz)).getMessage().contains("not a gzip"));
	}
}
