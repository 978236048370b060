package sc.fiji.stylecrafter.output;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import sc.fiji.stylecrafter.task.Messages;
import sc.fiji.stylecrafter.video.VideoFormat;
import sc.fiji.stylecrafter.video.VideoWriter;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.pipeline.GenerationRecord;

/**
 * Writes a {@link GenerationResult}: a multi-page RGB TIFF (one page per frame), an MP4/WebM/GIF video, or, for a
 * folder, numbered PNGs; and its record as a JSON sidecar ({@link GenerationRecord}). Everything is written beside the
 * target and moved into place whole.
 */
public final class FrameWriter {

	private FrameWriter() {}

	/**
	 * Checks, before any work, that {@link #write} can write to {@code out}: a known kind (a {@code .tif}/{@code .tiff}
	 * or {@code .mp4}/{@code .webm}/{@code .gif} file, or a folder), a folder that exists and can be written to, no folder
	 * in the place of the file or of its JSON sidecar, and a folder of frames that holds nothing but an earlier result.
	 *
	 * @throws IllegalArgumentException naming the problem
	 */
	public static void checkTarget(Path out) {
		Path abs = out.toAbsolutePath().normalize();
		Path fileName = abs.getFileName();
		if (fileName == null) throw new IllegalArgumentException("output " + out + " is a file system root; give a .tif file or a folder inside one");
		String name = fileName.toString().toLowerCase(Locale.ROOT);
		boolean file = isFile(abs);
		if (!file && name.contains(".")) throw new IllegalArgumentException("output " + out + " must end in " + KINDS + ", or be a folder for numbered PNGs");
		Path sidecar = sidecar(abs, file);
		Path dir = file || !Files.exists(abs) ? abs.getParent() : abs;
		if (!file && Files.exists(abs) && !Files.isDirectory(abs)) throw new IllegalArgumentException("output " + out + " is a file, not a folder");
		if (dir == null || !Files.isDirectory(dir)) throw new IllegalArgumentException("the folder " + dir + " for " + out + " does not exist");
		if (!Files.isWritable(dir)) throw new IllegalArgumentException("the folder " + dir + " cannot be written to (check its permissions)");
		try {
			String inTheWay = inTheWay(abs, sidecar, file);
			if (inTheWay != null) throw new IllegalArgumentException(inTheWay);
		}
		catch (IOException e) {
			throw new IllegalArgumentException("the folder " + out + " cannot be listed (" + e.getMessage() + ")", e);
		}
	}

	/**
	 * What keeps a result from replacing what is at {@code out}, or {@code null}: a folder where a file goes, or a
	 * folder of frames holding other files (a result replaces its folder whole, so it must hold nothing else).
	 */
	private static String inTheWay(Path out, Path sidecar, boolean file) throws IOException {
		if (file && Files.isDirectory(out)) return "output " + out + " is a folder, not a file";
		if (!file && Files.exists(out) && !Files.isDirectory(out)) return "output " + out + " is a file, not a folder";
		if (Files.isDirectory(sidecar)) return "the settings file " + sidecar + " would replace a folder of that name";
		if (file || !Files.isDirectory(out)) return null;
		List<String> foreign = foreignFiles(out);
		if (foreign.isEmpty()) return null;
		return "the folder " + out + " holds files that are not frames of a result (" + String.join(", ", foreign.subList(0, Math.min(5, foreign.size())))
			+ (foreign.size() > 5 ? ", ..." : "") + "); a result replaces its folder whole, so choose a new or empty folder";
	}

	/** The file outputs, for messages. */
	static final String KINDS = ".tif, .tiff, .mp4, .webm or .gif";

	/** True for a file output (TIFF or video), false for a folder of PNGs. */
	static boolean isFile(Path out) {
		String name = out.getFileName() == null ? "" : out.getFileName().toString().toLowerCase(Locale.ROOT);
		return name.endsWith(".tif") || name.endsWith(".tiff") || VideoFormat.of(out).isPresent();
	}

	/** The JSON sidecar of an output: {@code x.json} beside {@code x.tif} or {@code x.mp4}, {@code settings.json} in a PNG folder. */
	static Path sidecar(Path out, boolean file) {
		return file ? out.resolveSibling(out.getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".json") : out.resolve(SIDECAR);
	}

	/** The JSON sidecar {@link #write} writes for {@code out}. */
	public static Path sidecarOf(Path out) {
		return sidecar(out, isFile(out));
	}

	/** Writes the frames to {@code out} at the default frame rate; see {@link #write(GenerationResult, Path, int)}. */
	public static Path write(GenerationResult r, Path out) throws IOException {
		return write(r, out, VideoWriter.DEFAULT_FPS);
	}

	/**
	 * Writes the frames to {@code out} (a {@code .tif}/{@code .tiff} file; an {@code .mp4}, {@code .webm} or {@code .gif}
	 * video at {@code fps}, carrying the prompt and seed in its metadata where the container allows; or a folder of
	 * PNGs) and its record as the JSON sidecar ({@link GenerationRecord#toJson}, with the frame rate of a video), and
	 * returns the sidecar's path.
	 *
	 * <p>Everything is written beside the target first and moved into place only when complete: a failure (a full disk,
	 * an encoder error) leaves what was there before and no partial file; a folder of PNGs is replaced whole, so it
	 * never holds frames of two runs.
	 *
	 * @throws IOException naming the target, what failed and that nothing there was changed
	 */
	public static Path write(GenerationResult r, Path out, int fps) throws IOException {
		Path abs = out.toAbsolutePath().normalize();
		String name = abs.getFileName().toString().toLowerCase(Locale.ROOT);
		boolean video = VideoFormat.of(abs).isPresent(), tiff = name.endsWith(".tif") || name.endsWith(".tiff");
		if (!video && !tiff && name.contains(".")) {
			throw new IllegalArgumentException("output " + out + " must end in " + KINDS + ", or be a folder for numbered PNGs");
		}
		boolean file = video || tiff;
		if (video) r = r.with("fps", fps);
		Path sidecar = sidecar(abs, file);
		Path staged = staged(abs), stagedSidecar = file ? staged(sidecar) : staged.resolve(SIDECAR);
		try {
			if (video) {
				List<int[]> frames = new java.util.ArrayList<>();
				for (int f = 0; f < r.frameCount(); f++) frames.add(r.argb(f));
				VideoWriter.write(staged, frames, r.width(), r.height(), new VideoWriter.Options(fps, VideoWriter.DEFAULT_QUALITY,
					Map.of("title", r.prompt(), "comment", "StyleCrafter for Fiji, seed " + r.settings().seed())));
			}
			else if (tiff) {
				writeTiff(r, staged);
			}
			else {
				Files.createDirectory(staged);
				for (int f = 0; f < r.frameCount(); f++) {
					if (!ImageIO.write(image(r, f), "png", staged.resolve(String.format(Locale.ROOT, FRAME_FORMAT, f)).toFile())) {
						throw new IOException("this Java has no PNG writer");
					}
				}
			}
			Files.writeString(stagedSidecar, r.record().toJson(), StandardCharsets.UTF_8);
			String inTheWay = inTheWay(abs, sidecar, file);
			if (inTheWay != null) throw new IOException(inTheWay);
			place(file ? List.of(new Path[] { staged, abs }, new Path[] { stagedSidecar, sidecar }) : List.<Path[]> of(new Path[] { staged, abs }));
			return sidecar;
		}
		catch (IOException | RuntimeException e) {
			deleteStaged(staged);
			if (file) deleteStaged(stagedSidecar);
			throw new IOException("could not write " + out + ": " + reason(e, abs.getParent()) + "; nothing there was changed"
				+ (Files.exists(abs) ? " (the earlier result is kept)" : ""), e);
		}
	}

	/** The sidecar's name in a folder of PNGs. */
	static final String SIDECAR = "settings.json";
	/** The PNG frames' names. */
	static final String FRAME_FORMAT = "frame_%03d.png";
	private static final java.util.regex.Pattern OURS = java.util.regex.Pattern.compile("frame_\\d{3,}\\.png|" + java.util.regex.Pattern.quote(SIDECAR));

	/** A unique hidden name beside {@code target} for writing it, keeping its extension (FFmpeg chooses by it). */
	private static Path staged(Path target) {
		String n = target.getFileName().toString();
		int dot = n.lastIndexOf('.');
		String ext = dot > 0 ? n.substring(dot) : "";
		return target.resolveSibling("." + n + ".staged-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ext);
	}

	/**
	 * The files of an existing folder that a result did not write (anything but numbered PNG frames and the sidecar):
	 * such a folder is not replaced.
	 */
	static List<String> foreignFiles(Path folder) throws IOException {
		try (java.util.stream.Stream<Path> s = Files.list(folder)) {
			return s.map(p -> p.getFileName().toString()).filter(n -> !OURS.matcher(n).matches() || Files.isDirectory(folder.resolve(n))).sorted().toList();
		}
	}

	/**
	 * Moves each staged path ({@code [staged, target]}) into place, all or none: what is in the way is first moved
	 * aside, put back if any move fails, and removed once all are in place.
	 */
	private static void place(List<Path[]> moves) throws IOException {
		List<Path[]> asides = new ArrayList<>(), placed = new ArrayList<>();
		try {
			for (Path[] m : moves) {
				if (Files.exists(m[1], LinkOption.NOFOLLOW_LINKS)) {
					Path aside = m[1].resolveSibling("." + m[1].getFileName() + ".old-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
					Files.move(m[1], aside, StandardCopyOption.ATOMIC_MOVE);
					asides.add(new Path[] { aside, m[1] });
				}
			}
			for (Path[] m : moves) {
				Files.move(m[0], m[1], StandardCopyOption.ATOMIC_MOVE);
				placed.add(m);
			}
		}
		catch (IOException | RuntimeException e) {
			for (Path[] m : placed) {
				try {
					Files.move(m[1], m[0], StandardCopyOption.ATOMIC_MOVE); // back to its staged name, removed by the caller
				}
				catch (IOException ignored) {
					// the caller's message says what failed; the earlier result is put back below where it can be
				}
			}
			for (Path[] a : asides) {
				try {
					Files.move(a[0], a[1], StandardCopyOption.ATOMIC_MOVE);
				}
				catch (IOException x) {
					e.addSuppressed(new IOException("the earlier result is kept as " + a[0] + " (it could not be put back: " + x.getMessage() + ")"));
				}
			}
			throw e;
		}
		for (Path[] a : asides) deleteStaged(a[0]);
	}

	/** Removes a staged file, or a staged or replaced folder of frames (only the files a result writes). */
	private static void deleteStaged(Path p) {
		try {
			if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
				try (java.util.stream.Stream<Path> s = Files.list(p)) {
					for (Path f : (Iterable<Path>) s::iterator) if (OURS.matcher(f.getFileName().toString()).matches()) Files.deleteIfExists(f);
				}
			}
			Files.deleteIfExists(p);
		}
		catch (IOException ignored) {
			// best effort: a hidden staged name left behind loses nothing
		}
	}

	/** What went wrong, in words: a full disk says how much room is left. */
	static String reason(Throwable e, Path dir) {
		for (Throwable t = e; t != null; t = t.getCause()) {
			String tm = String.valueOf(t.getMessage());
			if (tm.contains("No space left") || tm.contains("Disk quota") || tm.contains("not enough space")) {
				long free = -1;
				try {
					free = Files.getFileStore(dir).getUsableSpace();
				}
				catch (IOException ignored) {
					// unknown
				}
				return "the disk is full" + (free >= 0 ? String.format(Locale.ROOT, " (%.1f MB free in %s)", free / 1e6, dir) : "") + "; free some space or write elsewhere";
			}
		}
		return Messages.of(e); // a file error as a sentence, as everywhere
	}

	public static BufferedImage image(GenerationResult r, int frame) {
		BufferedImage img = new BufferedImage(r.width(), r.height(), BufferedImage.TYPE_INT_RGB);
		img.setRGB(0, 0, r.width(), r.height(), r.argb(frame), 0, r.width());
		return img;
	}

	private static void writeTiff(GenerationResult r, Path file) throws IOException {
		Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("tiff");
		if (!it.hasNext()) throw new IOException("this Java has no TIFF writer; write PNGs to a folder instead");
		ImageWriter w = it.next();
		try (ImageOutputStream os = ImageIO.createImageOutputStream(file.toFile())) {
			w.setOutput(os);
			w.prepareWriteSequence(null);
			for (int f = 0; f < r.frameCount(); f++) w.writeToSequence(new IIOImage(image(r, f), null, null), null);
			w.endWriteSequence();
		}
		finally {
			w.dispose();
		}
	}
}
