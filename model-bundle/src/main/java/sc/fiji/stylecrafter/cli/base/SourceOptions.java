package sc.fiji.stylecrafter.cli.base;

import java.io.IOException;
import java.nio.file.Path;

import picocli.CommandLine.Option;

import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.SourceSize;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.unet.Mode;
import sc.fiji.stylecrafter.video.SourceFrames;

/**
 * Restyling a given clip or image ({@code generate --source FILE|FOLDER --strength X}) and the windows of a long clip
 * ({@code --window N --overlap N}). The source is a video file, a multi-page TIFF, an image, or a folder of frames
 * (read in name order, see {@link SourceFrames}); its frames are resized to the generation size ({@link SourceSize}).
 * Without {@code --frames} a video takes as many frames as the source has; with it, the first {@code --frames}; an
 * image run takes the first frame.
 */
public final class SourceOptions {

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
	 * {@code rq} restyling the source: its frames read and resized to the generation size ({@link SourceSize}: the
	 * {@code --width}/{@code --height} given, else the official pixel count with the source's aspect ratio), the
	 * settings' frames and size set to the source's where not given.
	 *
	 * @param options the generation options ({@code --frames}, {@code --width}, {@code --height} given or not)
	 * @throws IOException naming the source when it cannot be read, or holds too few frames
	 */
	public StyleCrafterPipeline.Request restyle(StyleCrafterPipeline.Request rq, GenerationOptions options) throws IOException {
		GenerationSettings s = rq.settings();
		boolean framesGiven = options.framesGiven();
		Integer width = options.widthGiven(), height = options.heightGiven();
		int limit = s.mode() == Mode.IMAGE ? 1 : framesGiven ? s.frames() : GenerationSettings.MAX_FRAMES;
		SourceSize[] size = new SourceSize[1];
		SourceFrames.Read frames = SourceFrames.read(source, limit, (w, h) -> {
			size[0] = SourceSize.of(s.mode(), w, h, width, height);
			return new int[] { size[0].width(), size[0].height() };
		});
		if (s.mode() == Mode.VIDEO && !framesGiven && frames.total() > GenerationSettings.MAX_FRAMES) {
			throw new IOException(source + " has " + frames.total() + " frames; at most " + GenerationSettings.MAX_FRAMES + " can be restyled at once: give "
				+ "--frames N to take the first N, or cut a shorter clip");
		}
		if (framesGiven && frames.total() < s.frames()) {
			throw new IOException(source + " has " + frames.total() + " frame(s), fewer than --frames " + s.frames());
		}
		GenerationSettings.Builder b = s.toBuilder().width(size[0].width()).height(size[0].height());
		if (s.mode() == Mode.VIDEO) b.frames(frames.kept().size());
		return new StyleCrafterPipeline.Request(rq.prompt(), rq.styles(), b.build(), rq.styleNames(), rq.noise(),
			new StyleCrafterPipeline.Source(frames.kept(), strength(), source.toString()));
	}
}
