package sc.fiji.stylecrafter.cli.base;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

import picocli.CommandLine.Option;

import sc.fiji.stylecrafter.image.PilResize;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.video.VideoFormat;
import sc.fiji.stylecrafter.video.VideoReader;

/**
 * Restyling a given clip or image ({@code generate --source FILE|FOLDER --strength X}) and the windows of a long clip
 * ({@code --window N --overlap N}). The source is a video file, a multi-page TIFF, an image, or a folder of frames
 * (read in name order); its frames are stretched to the generation size. Without {@code --frames} a video takes as
 * many frames as the source has; with it, the first {@code --frames}; an image run takes the first frame.
 */
public final class SourceOptions {

	/** Frame files a source folder may hold, by extension. */
	public static final List<String> FRAME_EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff");

	@Option(names = "--source", paramLabel = "FILE|FOLDER", description = "A clip or image to restyle: a video, a multi-page TIFF, an image or a folder "
		+ "of frames, stretched to the generation size.")
	Path source;

	@Option(names = "--strength", paramLabel = "X", description = "How far to move from the source, more than 0 up to 1 (1 keeps least); needed with "
		+ "--source.")
	String strength;

	@Option(names = "--window", paramLabel = "N", description = "Frames the model sees at once; longer clips are denoised in overlapping windows "
		+ "(default: the model's 16).")
	String window;

	@Option(names = "--overlap", paramLabel = "N", description = "Frames shared by neighbouring windows (default: a quarter of the window).")
	String overlap;

	/** Whether a source to restyle is given. */
	public boolean given() {
		return source != null;
	}

	/**
	 * {@code s} with the window and overlap given.
	 *
	 * @throws IllegalArgumentException for a bad value, or {@code --strength} without {@code --source} or the reverse
	 */
	public GenerationSettings settings(GenerationSettings s) {
		if (strength != null && source == null) throw new IllegalArgumentException("--strength applies to a --source to restyle; give --source FILE|FOLDER");
		if (source != null && strength == null) {
			throw new IllegalArgumentException("--strength is required with --source: more than 0 up to 1 (e.g. 0.6 keeps the source's layout, 1 keeps least)");
		}
		if (source != null) strength(); // named before anything is read
		GenerationSettings.Builder b = s.toBuilder();
		if (window != null) b.window(GenerationOptions.wholeNumber("--window", window));
		if (overlap != null) b.overlap(GenerationOptions.wholeNumber("--overlap", overlap));
		return b.build();
	}

	private double strength() {
		double x = GenerationOptions.number("--strength", strength);
		if (!(x > 0 && x <= 1)) throw new IllegalArgumentException("--strength " + strength + " is out of range; allowed: more than 0 up to 1");
		return x;
	}

	/**
	 * {@code rq} restyling the source: its frames read and stretched to the generation size, the settings' frames set
	 * to the source's where {@code --frames} was not given.
	 *
	 * @param framesGiven whether {@code --frames} was given (then the source's first that many frames are taken)
	 * @throws IOException naming the source when it cannot be read, or holds too few frames
	 */
	public StyleCrafterPipeline.Request restyle(StyleCrafterPipeline.Request rq, boolean framesGiven) throws IOException {
		GenerationSettings s = rq.settings();
		int limit = s.mode() == Mode.IMAGE ? 1 : framesGiven ? s.frames() : GenerationSettings.MAX_FRAMES;
		Frames frames = read(source, limit, s.width(), s.height());
		if (frames.total() == 0) throw new IOException(source + " holds no frames");
		if (s.mode() == Mode.VIDEO && !framesGiven && frames.total() > GenerationSettings.MAX_FRAMES) {
			throw new IOException(source + " has " + frames.total() + " frames; at most " + GenerationSettings.MAX_FRAMES + " can be restyled at once: give "
				+ "--frames N to take the first N, or cut a shorter clip");
		}
		if (framesGiven && frames.total() < s.frames()) {
			throw new IOException(source + " has " + frames.total() + " frame(s), fewer than --frames " + s.frames());
		}
		GenerationSettings settings = s.mode() == Mode.VIDEO ? s.toBuilder().frames(frames.kept().size()).build() : s;
		return new StyleCrafterPipeline.Request(rq.prompt(), rq.styles(), settings, rq.styleNames(), rq.noise(),
			new StyleCrafterPipeline.Source(frames.kept(), strength(), source.toString()));
	}

	/** The first frames of a source, stretched, and how many it has in all. */
	private record Frames(List<RgbImage> kept, int total) {}

	private static Frames read(Path source, int limit, int width, int height) throws IOException {
		if (Files.isDirectory(source)) {
			List<Path> files;
			try (Stream<Path> list = Files.list(source)) {
				files = list.filter(p -> Files.isRegularFile(p) && FRAME_EXTENSIONS.contains(extension(p))).sorted().toList();
			}
			if (files.isEmpty()) throw new IOException(source + " holds no frame files (allowed: " + String.join(", ", FRAME_EXTENSIONS) + ")");
			List<RgbImage> kept = new ArrayList<>();
			for (Path f : files.subList(0, Math.min(limit, files.size()))) kept.add(stretch(RgbImage.read(f), width, height));
			return new Frames(kept, files.size());
		}
		if (!Files.isRegularFile(source)) throw new NoSuchFileException(source.toString(), null, "source not found");
		if (VideoFormat.isReadable(source)) {
			List<RgbImage> kept = new ArrayList<>();
			int total = VideoReader.forEachFrame(source, f -> {
				if (kept.size() < limit) kept.add(stretch(f, width, height));
			});
			return new Frames(kept, total);
		}
		String ext = extension(source);
		if (ext.equals("tif") || ext.equals("tiff")) return tiff(source, limit, width, height);
		return new Frames(List.of(stretch(RgbImage.read(source), width, height)), 1);
	}

	/** The pages of a TIFF (Java's own TIFF reader). */
	private static Frames tiff(Path file, int limit, int width, int height) throws IOException {
		try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
			Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
			if (!readers.hasNext()) throw new IOException(file + " is not a TIFF this program can read");
			ImageReader reader = readers.next();
			try {
				reader.setInput(in, false, true);
				int pages = reader.getNumImages(true);
				List<RgbImage> kept = new ArrayList<>();
				for (int i = 0; i < Math.min(limit, pages); i++) {
					int w = reader.getWidth(i), h = reader.getHeight(i);
					if (w < 1 || h < 1 || w > RgbImage.MAX_SIDE || h > RgbImage.MAX_SIDE) {
						throw new IOException(file + ": page " + (i + 1) + " is " + w + "x" + h + " pixels; allowed: 1 to " + RgbImage.MAX_SIDE + " on a side");
					}
					kept.add(stretch(RgbImage.fromBufferedImage(reader.read(i)), width, height));
				}
				return new Frames(kept, pages);
			}
			catch (RuntimeException e) { // decoders throw index and state errors on damaged files
				throw new IOException(file + " cannot be decoded (a truncated or corrupt TIFF?): " + e, e);
			}
			finally {
				reader.dispose();
			}
		}
	}

	private static RgbImage stretch(RgbImage img, int width, int height) {
		return img.width() == width && img.height() == height ? img : PilResize.bilinear(img, width, height);
	}

	private static String extension(Path p) {
		String n = p.getFileName().toString();
		int dot = n.lastIndexOf('.');
		return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
	}
}
