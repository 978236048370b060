package sc.fiji.stylecrafter.video;

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

import sc.fiji.stylecrafter.image.PilResize;
import sc.fiji.stylecrafter.image.RgbImage;

/**
 * The frames of a source file to restyle, for the command line and batch lists: a video file (JavaCV), a multi-page
 * TIFF (Java's own TIFF reader), an image, or a folder of frame files (read in name order). All frames must have the
 * size of the first; each is resized to the generation size with the core's Pillow-exact bilinear filter
 * ({@link PilResize}, the filter the style images go through, which averages over the source pixels when it shrinks)
 * as soon as it is read, so a long clip is never held at its own size.
 */
public final class SourceFrames {

	/** Frame files a source folder may hold, by extension. */
	public static final List<String> FRAME_EXTENSIONS = List.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff");

	/** The size frames are resized to, given the source's own size (width, height). */
	@FunctionalInterface
	public interface Fit {

		/** @return {@code {width, height}} */
		int[] size(int sourceWidth, int sourceHeight);
	}

	/**
	 * The frames kept (resized), how many the source has in all, and the source's own size.
	 */
	public record Read(List<RgbImage> kept, int total, int sourceWidth, int sourceHeight) {

		public Read {
			kept = List.copyOf(kept);
		}
	}

	private SourceFrames() {}

	/**
	 * The first {@code limit} frames of {@code source}, resized to {@code fit}'s size.
	 *
	 * @throws IOException naming the source when it cannot be read, holds no frames, or holds frames of different sizes
	 */
	public static Read read(Path source, int limit, Fit fit) throws IOException {
		try {
			return readAll(source, limit, fit);
		}
		catch (IllegalArgumentException e) { // frames of different sizes, or a size the fit refuses
			throw new IOException(e.getMessage(), e);
		}
	}

	private static Read readAll(Path source, int limit, Fit fit) throws IOException {
		Resizer r = new Resizer(source, fit);
		int total;
		if (Files.isDirectory(source)) {
			List<Path> files;
			try (Stream<Path> list = Files.list(source)) {
				files = list.filter(p -> Files.isRegularFile(p) && FRAME_EXTENSIONS.contains(extension(p))).sorted().toList();
			}
			if (files.isEmpty()) throw new IOException(source + " holds no frame files (allowed: " + String.join(", ", FRAME_EXTENSIONS) + ")");
			for (Path f : files.subList(0, Math.min(limit, files.size()))) r.add(RgbImage.read(f), f.getFileName().toString());
			total = files.size();
		}
		else if (!Files.isRegularFile(source)) throw new NoSuchFileException(source.toString(), null, "source not found");
		else if (VideoFormat.isReadable(source)) {
			total = VideoReader.forEachFrame(source, f -> {
				if (r.kept.size() < limit) r.add(f, null);
			});
		}
		else if (extension(source).equals("tif") || extension(source).equals("tiff")) total = tiff(source, limit, r);
		else {
			r.add(RgbImage.read(source), null);
			total = 1;
		}
		if (total == 0) throw new IOException(source + " holds no frames");
		return new Read(r.kept, total, r.width, r.height);
	}

	/** Resizes frame after frame, all of the first's size. */
	private static final class Resizer {

		final Path source;
		final Fit fit;
		final List<RgbImage> kept = new ArrayList<>();
		int width, height;
		int[] size;

		Resizer(Path source, Fit fit) {
			this.source = source;
			this.fit = fit;
		}

		void add(RgbImage f, String file) {
			if (size == null) {
				width = f.width();
				height = f.height();
				size = fit.size(width, height);
			}
			else if (f.width() != width || f.height() != height) {
				throw new IllegalArgumentException(source + ": frame " + (kept.size() + 1) + (file == null ? "" : " (" + file + ")") + " is " + f.width() + "x"
					+ f.height() + ", the first is " + width + "x" + height + "; all frames of a source must have one size");
			}
			kept.add(f.width() == size[0] && f.height() == size[1] ? f : PilResize.bilinear(f, size[0], size[1]));
		}
	}

	/** The pages of a TIFF. */
	private static int tiff(Path file, int limit, Resizer r) throws IOException {
		try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
			Iterator<ImageReader> readers = in == null ? java.util.Collections.emptyIterator() : ImageIO.getImageReaders(in);
			if (!readers.hasNext()) throw new IOException(file + " is not a TIFF this program can read");
			ImageReader reader = readers.next();
			try {
				reader.setInput(in, false, true);
				int pages = reader.getNumImages(true);
				for (int i = 0; i < Math.min(limit, pages); i++) {
					int w = reader.getWidth(i), h = reader.getHeight(i);
					if (w < 1 || h < 1 || w > RgbImage.MAX_SIDE || h > RgbImage.MAX_SIDE) {
						throw new IOException(file + ": page " + (i + 1) + " is " + w + "x" + h + " pixels; allowed: 1 to " + RgbImage.MAX_SIDE + " on a side");
					}
					r.add(RgbImage.fromBufferedImage(reader.read(i)), "page " + (i + 1));
				}
				return pages;
			}
			catch (IllegalArgumentException e) { // frames of different sizes: said as it is
				throw e;
			}
			catch (RuntimeException e) { // decoders throw index and state errors on damaged files
				throw new IOException(file + " cannot be decoded (a truncated or corrupt TIFF?): " + e, e);
			}
			finally {
				reader.dispose();
			}
		}
	}

	private static String extension(Path p) {
		String n = p.getFileName().toString();
		int dot = n.lastIndexOf('.');
		return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
	}
}
