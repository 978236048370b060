package sc.fiji.stylecrafter.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Writes frames as an MP4 (H.264), WebM (VP9) or animated GIF through JavaCV's FFmpeg. The file is written beside the
 * target under a temporary name and moved into place only when complete, so a failure never leaves a half-written
 * video under the real name. Sizes must be even (4:2:0 colour for MP4 and WebM; JavaCV's recorder rounds every
 * width up): an odd width or height is padded by one row or column repeating the edge, and the result says so.
 */
public final class VideoWriter {

	/** The official code saves at 10 frames per second; the public demo shows 8: ours. */
	public static final int DEFAULT_FPS = 8;
	public static final int MAX_FPS = 120;
	/** Quality from 1 (smallest file) to 100 (best). */
	public static final int DEFAULT_QUALITY = 75;

	/** How to write: frame rate, quality, and metadata (title, comment) for the containers that carry it. */
	public record Options(int fps, int quality, Map<String, String> metadata) {

		public Options {
			checkFrameRate(fps);
			if (quality < 1 || quality > 100) throw new IllegalArgumentException("quality " + quality + " is out of range; allowed: 1 to 100");
			metadata = Map.copyOf(metadata);
		}

		public static Options defaults() {
			return new Options(DEFAULT_FPS, DEFAULT_QUALITY, Map.of());
		}
	}

	/** Refuses a frame rate outside 1 to {@link #MAX_FPS}, naming it. */
	public static void checkFrameRate(int fps) {
		if (fps < 1 || fps > MAX_FPS) throw new IllegalArgumentException("frame rate " + fps + " is out of range; allowed: 1 to " + MAX_FPS);
	}

	/** What was written: the file, its size in pixels (padded if it had to be) and whether it was padded. */
	public record Written(Path file, VideoFormat format, int frames, int width, int height, boolean padded) {}

	private VideoWriter() {}

	/**
	 * Writes {@code frames} (packed {@code 0xRRGGBB} pixels, row-major, each {@code width x height}) to {@code out},
	 * whose extension chooses the format.
	 *
	 * @throws IllegalArgumentException for an unknown extension, no frames, or frames of the wrong size
	 * @throws IOException if the encoder or the file fails; nothing is left under {@code out}
	 */
	/** The smallest side openh264 encodes (below it fails with its own error code). */
	public static final int MP4_MIN_SIDE = 16;

	/**
	 * Refuses, before any encoding, a frame size the format cannot hold.
	 *
	 * @throws IllegalArgumentException naming the size and the formats that can
	 */
	public static void checkSize(VideoFormat format, int width, int height) {
		if (format == VideoFormat.MP4 && (width < MP4_MIN_SIDE || height < MP4_MIN_SIDE)) {
			throw new IllegalArgumentException("frames of " + width + "x" + height + " pixels cannot be written as MP4 (H.264 needs at least " + MP4_MIN_SIDE
				+ " pixels on a side); save as .webm or .gif, or enlarge the image");
		}
	}

	public static Written write(Path out, List<int[]> frames, int width, int height, Options options) throws IOException {
		VideoFormat format = VideoFormat.of(out).orElseThrow(() -> new IllegalArgumentException("output " + out
			+ " is not a video file this program writes; allowed: .mp4, .webm, .gif"));
		if (frames.isEmpty()) throw new IllegalArgumentException("there are no frames to write to " + out);
		if (width < 1 || height < 1) throw new IllegalArgumentException("frames of " + width + "x" + height + " pixels cannot be written");
		checkSize(format, width, height);
		for (int[] f : frames) {
			if (f.length != width * height) throw new IllegalArgumentException("a frame has " + f.length + " pixels, not " + width + "x" + height);
		}
		boolean pad = width % 2 != 0 || height % 2 != 0; // 4:2:0 colour, and JavaCV's recorder, want even sizes
		int w = pad ? width + width % 2 : width, h = pad ? height + height % 2 : height;
		Path dir = out.toAbsolutePath().getParent();
		if (dir == null || !Files.isDirectory(dir)) throw new IOException("the folder of " + out + " does not exist");
		// a unique name beside the target, created by FFmpeg with the usual permissions (createTempFile would make the
		// video readable by its owner only, once moved into place)
		Path tmp = dir.resolve("." + out.getFileName() + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".part." + format.extension());
		boolean done = false;
		try {
			avutil.av_log_set_level(avutil.AV_LOG_QUIET); // its errors come back in the exception's message
			FFmpegFrameRecorder r = new FFmpegFrameRecorder(tmp.toFile(), w, h, 0);
			r.setFormat(format.container());
			r.setVideoCodecName(format.encoder());
			r.setFrameRate(options.fps());
			r.setMetadata(options.metadata());
			GifPalette palette = null;
			switch (format) {
				case MP4:
					r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
					// openh264 has no constant-quality mode: bits per pixel from 0.05 to 2.5 at quality 1 to 100
					r.setVideoBitrate((int) Math.min(Integer.MAX_VALUE, (long) w * h * options.fps() * (0.05 + 2.45 * options.quality() / 100.0)));
					break;
				case WEBM:
					r.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
					r.setVideoBitrate(0);
					r.setVideoOption("crf", Integer.toString(63 - (int) Math.round(options.quality() * 0.59))); // 62 .. 4
					r.setVideoOption("deadline", "good");
					r.setVideoOption("cpu-used", "4");
					break;
				default:
					r.setPixelFormat(avutil.AV_PIX_FMT_PAL8);
					palette = GifPalette.of(frames);
					break;
			}
			try {
				r.start();
				for (int[] f : frames) {
					if (palette != null) r.recordImage(w, h, Frame.DEPTH_UBYTE, 1, w, avutil.AV_PIX_FMT_PAL8, indexed(f, width, height, w, h, palette));
					else r.recordImage(w, h, Frame.DEPTH_UBYTE, 3, w * 3, avutil.AV_PIX_FMT_RGB24, rgb(f, width, height, w, h));
				}
				r.stop();
			}
			finally {
				r.release();
			}
			Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			done = true;
			return new Written(out, format, frames.size(), w, h, pad);
		}
		catch (FrameRecorder.Exception | RuntimeException e) {
			throw new IOException("cannot write " + out + " (" + format.encoder() + "): " + e.getMessage(), e);
		}
		finally {
			if (!done) Files.deleteIfExists(tmp);
		}
	}

	/** RGB24 bytes of a frame, padded by repeating the last column and row. */
	private static ByteBuffer rgb(int[] f, int width, int height, int w, int h) {
		ByteBuffer b = ByteBuffer.allocateDirect(w * h * 3);
		for (int y = 0; y < h; y++) {
			int sy = Math.min(y, height - 1);
			for (int x = 0; x < w; x++) {
				int p = f[sy * width + Math.min(x, width - 1)];
				b.put((byte) (p >> 16)).put((byte) (p >> 8)).put((byte) p);
			}
		}
		return b.flip();
	}

	/** Palette indices followed by the palette (256 little-endian {@code 0xAARRGGBB}), as FFmpeg lays PAL8 out. */
	private static ByteBuffer indexed(int[] f, int width, int height, int w, int h, GifPalette palette) {
		ByteBuffer b = ByteBuffer.allocateDirect(w * h + 1024).order(ByteOrder.LITTLE_ENDIAN);
		for (int y = 0; y < h; y++) {
			for (int x = 0; x < w; x++) b.put(y * w + x, (byte) palette.index(f[Math.min(y, height - 1) * width + Math.min(x, width - 1)]));
		}
		int[] colours = palette.colours();
		for (int i = 0; i < 256; i++) b.putInt(w * h + 4 * i, 0xFF000000 | (i < colours.length ? colours[i] : 0));
		return b;
	}
}
