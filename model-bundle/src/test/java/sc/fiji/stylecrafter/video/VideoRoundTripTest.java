package sc.fiji.stylecrafter.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import sc.fiji.stylecrafter.image.RgbImage;

/**
 * Round trips through the real encoders (openh264, libvpx-vp9, FFmpeg's GIF encoder) and FFmpeg's own decoder: frame
 * count, size, frame rate, metadata, and the pixel error against the frames written.
 */
class VideoRoundTripTest {

	@TempDir
	Path tmp;

	static final int W = 128, H = 96, T = 6;

	/** Smooth gradients and a moving disc: what a generated clip looks like to an encoder. */
	static List<int[]> clip(int w, int h, int t) {
		List<int[]> frames = new ArrayList<>();
		for (int f = 0; f < t; f++) {
			int[] px = new int[w * h];
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					int r = 40 + 160 * x / w, g = 60 + 120 * y / h, b = 90 + 20 * f;
					double dx = x - (20 + 12 * f), dy = y - h / 2.0;
					if (dx * dx + dy * dy < 150) {
						r = 230;
						g = 200;
						b = 40;
					}
					px[y * w + x] = r << 16 | g << 8 | b;
				}
			}
			frames.add(px);
		}
		return frames;
	}

	static double psnr(List<int[]> want, List<RgbImage> got, int w, int h) {
		double se = 0;
		long n = 0;
		for (int f = 0; f < want.size(); f++) {
			for (int y = 0; y < h; y++) {
				for (int x = 0; x < w; x++) {
					int p = want.get(f)[y * w + x];
					for (int c = 0; c < 3; c++) {
						double d = ((p >> (16 - 8 * c)) & 255) - got.get(f).get(x, y, c);
						se += d * d;
						n++;
					}
				}
			}
		}
		return 10 * Math.log10(255.0 * 255.0 / (se / n));
	}

	@ParameterizedTest
	@EnumSource(VideoFormat.class)
	void framesComeBackAsWritten(VideoFormat format) throws Exception {
		List<int[]> frames = clip(W, H, T);
		Path out = tmp.resolve("clip." + format.extension());
		VideoWriter.Written w = VideoWriter.write(out, frames, W, H, new VideoWriter.Options(8, VideoWriter.DEFAULT_QUALITY,
			Map.of("title", "a red fox", "comment", "seed 123")));
		assertFalse(w.padded());
		List<RgbImage> back = VideoReader.all(out);
		assertEquals(T, back.size());
		assertEquals(W, back.get(0).width());
		assertEquals(H, back.get(0).height());
		try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(out.toFile())) {
			g.start();
			assertEquals(8.0, g.getFrameRate(), 8.0 * 0.05, format + " frame rate");
			if (format != VideoFormat.GIF) {
				String meta = g.getMetadata().toString().toLowerCase(Locale.ROOT);
				assertTrue(meta.contains("a red fox") && meta.contains("seed 123"), meta);
			}
			g.stop();
		}
		if (format == VideoFormat.GIF) {
			// exact: every pixel is the palette colour nearest to the pixel written
			GifPalette p = GifPalette.of(frames);
			int[] colours = p.colours();
			for (int f = 0; f < T; f++) {
				for (int i = 0; i < W * H; i++) {
					int want = colours[p.index(frames.get(f)[i])];
					RgbImage g = back.get(f);
					int got = g.get(i % W, i / W, 0) << 16 | g.get(i % W, i / W, 1) << 8 | g.get(i % W, i / W, 2);
					assertEquals(want, got, "frame " + f + " pixel " + i);
				}
			}
		}
		else {
			double psnr = psnr(frames, back, W, H);
			System.out.printf(Locale.ROOT, "%s: %d bytes, PSNR %.1f dB%n", format, Files.size(out), psnr);
			assertTrue(psnr > 30, format + " PSNR " + psnr);
		}
		assertNoPartFiles();
		if (out.getFileSystem().supportedFileAttributeViews().contains("posix")) { // readable by others, as any file the user writes
			var plain = Files.getPosixFilePermissions(Files.writeString(tmp.resolve("plain.txt"), "x"));
			assertEquals(plain, Files.getPosixFilePermissions(out), "the video has the permissions of a file written normally");
		}
	}

	private void assertNoPartFiles() throws IOException {
		try (Stream<Path> files = Files.list(tmp)) {
			assertTrue(files.noneMatch(p -> p.getFileName().toString().contains(".part")), "a temporary file was left");
		}
	}

	@Test
	void oddSizesArePaddedByRepeatingTheEdge() throws Exception {
		List<int[]> frames = clip(W - 1, H - 1, 2);
		VideoWriter.Written mp4 = VideoWriter.write(tmp.resolve("odd.mp4"), frames, W - 1, H - 1, VideoWriter.Options.defaults());
		assertTrue(mp4.padded());
		assertEquals(W, VideoReader.all(tmp.resolve("odd.mp4")).get(0).width());
		VideoWriter.Written gif = VideoWriter.write(tmp.resolve("odd.gif"), frames, W - 1, H - 1, VideoWriter.Options.defaults());
		assertTrue(gif.padded());
		RgbImage back = VideoReader.all(tmp.resolve("odd.gif")).get(0);
		assertEquals(W, back.width());
		for (int c = 0; c < 3; c++) assertEquals(back.get(W - 2, 10, c), back.get(W - 1, 10, c), "the added column repeats the edge");
	}

	@Test
	void badOutputsAndInputsAreClearErrors() throws Exception {
		List<int[]> frames = clip(W, H, 2);
		IOException missing = assertThrows(IOException.class, () -> VideoWriter.write(tmp.resolve("no/such/folder/x.mp4"), frames, W, H,
			VideoWriter.Options.defaults()));
		assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
		Path readOnly = Files.createDirectories(tmp.resolve("ro"));
		assertTrue(readOnly.toFile().setWritable(false));
		try {
			if (!Files.isWritable(readOnly)) { // (as root every folder is writable)
				assertThrows(IOException.class, () -> VideoWriter.write(readOnly.resolve("x.mp4"), frames, W, H, VideoWriter.Options.defaults()));
			}
		}
		finally {
			readOnly.toFile().setWritable(true);
		}
		assertTrue(assertThrows(IllegalArgumentException.class, () -> VideoWriter.write(tmp.resolve("x.mp4"), List.of(), W, H,
			VideoWriter.Options.defaults())).getMessage().contains("no frames"));
		assertTrue(assertThrows(IllegalArgumentException.class, () -> VideoWriter.write(tmp.resolve("x.avi"), frames, W, H,
			VideoWriter.Options.defaults())).getMessage().contains(".mp4, .webm, .gif"));
		assertThrows(IllegalArgumentException.class, () -> new VideoWriter.Options(0, 50, Map.of()));
		assertFalse(Files.exists(tmp.resolve("x.mp4")));

		Path corrupt = Files.write(tmp.resolve("corrupt.mp4"), new byte[] { 0, 0, 0, 24, 'f', 't', 'y', 'p', 1, 2, 3, 4, 5, 6, 7 });
		IOException bad = assertThrows(IOException.class, () -> VideoReader.sample(corrupt, 3));
		assertTrue(bad.getMessage().contains("corrupt.mp4") && bad.getMessage().contains("cannot be read as a video"), bad.getMessage());
		Path good = tmp.resolve("good.mp4");
		VideoWriter.write(good, clip(W, H, T), W, H, VideoWriter.Options.defaults());
		byte[] b = Files.readAllBytes(good);
		Path cut = Files.write(tmp.resolve("cut.mp4"), java.util.Arrays.copyOf(b, b.length / 3));
		assertThrows(IOException.class, () -> VideoReader.sample(cut, 3));
		assertNoPartFiles();
	}

	@Test
	void sampledFramesAreEvenlySpaced() throws Exception {
		Path out = tmp.resolve("s.webm");
		VideoWriter.write(out, clip(W, H, T), W, H, VideoWriter.Options.defaults());
		List<RgbImage> all = VideoReader.all(out);
		List<RgbImage> three = VideoReader.sample(out, 3);
		assertEquals(3, three.size());
		assertTrue(java.util.Arrays.equals(all.get(0).rgb(), three.get(0).rgb()));
		assertTrue(java.util.Arrays.equals(all.get(T - 1).rgb(), three.get(2).rgb()));
		assertEquals(T, VideoReader.sample(out, 50).size(), "no more frames than the clip has");
	}
}
