package sc.fiji.stylecrafter.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

import sc.fiji.stylecrafter.image.RgbImage;

/** Reads frames of a video file through JavaCV's FFmpeg, e.g. to use a clip as style references. */
public final class VideoReader {

	/** Frames taken from a video given as a style reference, unless the user says otherwise. */
	public static final int DEFAULT_STYLE_FRAMES = 3;

	/** Videos longer than this are refused (a style clip is seconds long; decoding hours would take minutes). */
	public static final int MAX_FRAMES = 100_000;

	private VideoReader() {}

	/**
	 * The style references of the given files: an image is one reference, a video ({@link VideoFormat#isReadable}) gives
	 * {@code framesPerVideo} evenly spaced frames.
	 */
	public static List<RgbImage> styleReferences(List<Path> files, int framesPerVideo) throws IOException {
		List<RgbImage> out = new ArrayList<>();
		for (Path p : files) {
			if (VideoFormat.isReadable(p)) out.addAll(sample(p, framesPerVideo));
			else out.add(RgbImage.read(p));
		}
		return out;
	}

	/** Every frame, decoded, as RGB images (for tests and short clips). */
	public static List<RgbImage> all(Path video) throws IOException {
		return read(video, Integer.MAX_VALUE);
	}

	/**
	 * Decodes every frame in order, handing each to {@code sink} and holding none: memory does not grow with the clip.
	 *
	 * @return the number of frames
	 * @throws IOException naming the file when it is missing, corrupt or not a video
	 */
	public static int forEachFrame(Path video, java.util.function.Consumer<RgbImage> sink) throws IOException {
		if (!Files.isRegularFile(video)) throw new NoSuchFileException(video.toString(), null, "video not found");
		avutil.av_log_set_level(avutil.AV_LOG_QUIET);
		int n = decode(video, (index, f) -> sink.accept(toRgb(f)));
		if (n == 0) throw new IOException(video + " holds no video frames");
		return n;
	}

	/**
	 * {@code count} frames, evenly spaced over the clip (the first, the last and between), in order. Frames whose size
	 * exceeds {@link RgbImage#MAX_SIDE} are refused.
	 *
	 * @throws IOException naming the file when it is missing, corrupt or not a video
	 */
	public static List<RgbImage> sample(Path video, int count) throws IOException {
		if (count < 1) throw new IllegalArgumentException("frames to take from a video: " + count + "; allowed: 1 or more");
		return read(video, count);
	}

	/** Decodes the clip twice when sampling (count, then keep the chosen frames), so only those are held in memory. */
	private static List<RgbImage> read(Path video, int count) throws IOException {
		if (!Files.isRegularFile(video)) throw new NoSuchFileException(video.toString(), null, "video not found");
		avutil.av_log_set_level(avutil.AV_LOG_QUIET); // its errors come back in the exception's message
		int total = count == Integer.MAX_VALUE ? Integer.MAX_VALUE : decode(video, null);
		java.util.Set<Integer> keep = new java.util.TreeSet<>();
		if (total != Integer.MAX_VALUE) {
			if (total == 0) throw new IOException(video + " holds no video frames");
			int n = Math.min(count, total);
			for (int i = 0; i < n; i++) keep.add(n == 1 ? 0 : (int) Math.round(i * (total - 1) / (double) (n - 1)));
		}
		List<RgbImage> frames = new ArrayList<>();
		decode(video, (index, f) -> {
			if (keep.isEmpty() || keep.contains(index)) frames.add(toRgb(f));
		});
		if (frames.isEmpty()) throw new IOException(video + " holds no video frames");
		return frames;
	}

	private interface FrameSink {
		void accept(int index, Frame f);
	}

	/** Decodes every frame, handing each to {@code sink} (if any); returns the number of frames. */
	private static int decode(Path video, FrameSink sink) throws IOException {
		int n = 0;
		try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile())) {
			g.setPixelFormat(avutil.AV_PIX_FMT_RGB24);
			g.start();
			int w = g.getImageWidth(), h = g.getImageHeight();
			if (w < 1 || h < 1 || w > RgbImage.MAX_SIDE || h > RgbImage.MAX_SIDE) {
				throw new IOException(video + " has frames of " + w + "x" + h + " pixels; a style reference may have 1 to " + RgbImage.MAX_SIDE + " on a side");
			}
			for (Frame f; (f = g.grabImage()) != null; n++) {
				if (n >= MAX_FRAMES) throw new IOException(video + " has more than " + MAX_FRAMES + " frames; cut a shorter clip");
				if (sink != null) sink.accept(n, f);
			}
			g.stop();
		}
		catch (FrameGrabber.Exception | RuntimeException e) {
			throw new IOException(video + " cannot be read as a video (" + e.getMessage() + ")", e);
		}
		return n;
	}

	private static RgbImage toRgb(Frame f) {
		ByteBuffer b = ((ByteBuffer) f.image[0]).duplicate();
		int w = f.imageWidth, h = f.imageHeight, stride = f.imageStride;
		byte[] rgb = new byte[w * h * 3];
		for (int y = 0; y < h; y++) b.get(y * stride, rgb, y * w * 3, w * 3);
		return new RgbImage(w, h, rgb);
	}
}
