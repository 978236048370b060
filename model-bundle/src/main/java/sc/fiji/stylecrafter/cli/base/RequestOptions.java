package sc.fiji.stylecrafter.cli.base;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import picocli.CommandLine.Option;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.video.VideoReader;

/** The prompt and the style references of one generation ({@code generate}, {@code bench-generate}). */
public final class RequestOptions {

	@Option(names = "--prompt", paramLabel = "TEXT", description = "What to show.")
	String prompt;

	@Option(names = "--style", paramLabel = "IMAGE|VIDEO", description = "A style reference (repeat for more); a video gives --style-frames frames.")
	List<Path> styles = new ArrayList<>();

	/** @throws IllegalArgumentException when the prompt or the styles are not given */
	public void check() {
		if (prompt == null) throw new IllegalArgumentException("--prompt is required");
		if (styles.isEmpty()) throw new IllegalArgumentException("--style is required (one or more style images)");
	}

	/** The request: the references read (a video's frames taken), named by their paths. */
	public StyleCrafterPipeline.Request request(GenerationSettings settings, int styleFrames) throws IOException {
		List<RgbImage> images = VideoReader.styleReferences(styles, styleFrames);
		return new StyleCrafterPipeline.Request(prompt, images, settings).named(styles.stream().map(Path::toString).toList());
	}
}
