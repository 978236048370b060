package sc.fiji.stylecrafter.output;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

import sc.fiji.stylecrafter.video.VideoFormat;
import sc.fiji.stylecrafter.video.VideoWriter;
import sc.fiji.stylecrafter.pipeline.GenerationResult;
import sc.fiji.stylecrafter.pipeline.GenerationRecord;

/**
 * Writes a {@link GenerationResult}: a multi-page RGB TIFF (one page per frame), an MP4/WebM/GIF video, or, for a
 * folder, numbered PNGs; and its record as a JSON sidecar ({@link GenerationRecord}). Files are written beside the target and moved into place.
 */
public final class FrameWriter {

	private FrameWriter() {}

	/**
	 * Checks, before any work, that {@link #write} can write to {@code out}: a known kind (a {@code .tif}/{@code .tiff}
	 * or {@code .mp4}/{@code .webm}/{@code .gif} file, or a folder), a folder that exists and can be written to, no folder in the place of the file or of its JSON
	 * sidecar.
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
		if (file && Files.isDirectory(abs)) throw new IllegalArgumentException("output " + out + " is a folder, not a file");
		if (Files.isDirectory(sidecar)) throw new IllegalArgumentException("the settings file " + sidecar + " would replace a folder of that name");
		Path dir = file || !Files.exists(abs) ? abs.getParent() : abs;
		if (!file && Files.exists(abs) && !Files.isDirectory(abs)) throw new IllegalArgumentException("output " + out + " is a file, not a folder");
		if (dir == null || !Files.isDirectory(dir)) throw new IllegalArgumentException("the folder " + dir + " for " + out + " does not exist");
		if (!Files.isWritable(dir)) throw new IllegalArgumentException("the folder " + dir + " cannot be written to (check its permissions)");
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
		return file ? out.resolveSibling(out.getFileName().toString().replaceFirst("\\.[^.]+$", "") + ".json") : out.resolve("settings.json");
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
	 */
	public static Path write(GenerationResult r, Path out, int fps) throws IOException {
		String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
		Path sidecar;
		if (VideoFormat.of(out).isPresent()) {
			List<int[]> frames = new java.util.ArrayList<>();
			for (int f = 0; f < r.frameCount(); f++) frames.add(r.argb(f));
			VideoWriter.write(out, frames, r.width(), r.height(), new VideoWriter.Options(fps, VideoWriter.DEFAULT_QUALITY,
				Map.of("title", r.prompt(), "comment", "StyleCrafter for Fiji, seed " + r.settings().seed())));
			sidecar = sidecar(out, true);
			r = r.with("fps", fps);
		}
		else if (name.endsWith(".tif") || name.endsWith(".tiff")) {
			Path tmp = out.resolveSibling(out.getFileName() + ".part");
			writeTiff(r, tmp);
			Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
			sidecar = sidecar(out, true);
		}
		else if (name.contains(".")) {
			throw new IllegalArgumentException("output " + out + " must end in " + KINDS + ", or be a folder for numbered PNGs");
		}
		else {
			Files.createDirectories(out);
			for (int f = 0; f < r.frameCount(); f++) {
				ImageIO.write(image(r, f), "png", out.resolve(String.format("frame_%03d.png", f)).toFile());
			}
			sidecar = sidecar(out, false);
		}
		Files.writeString(sidecar, r.record().toJson(), StandardCharsets.UTF_8);
		return sidecar;
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
		Files.deleteIfExists(file);
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
