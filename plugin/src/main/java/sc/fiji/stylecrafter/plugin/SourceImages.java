package sc.fiji.stylecrafter.plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.process.ImageProcessor;

import java.util.ArrayList;
import java.util.List;

import net.imglib2.RandomAccessibleInterval;

import sc.fiji.stylecrafter.image.PilResize;
import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.pipeline.GenerationSettings;
import sc.fiji.stylecrafter.pipeline.SourceSize;
import sc.fiji.stylecrafter.pipeline.StyleCrafterPipeline;
import sc.fiji.stylecrafter.unet.Mode;

/**
 * A source to restyle from an open ImageJ image, and the result fitted back onto it. Which planes are the clip: the
 * time frames of a hyperstack (at its current slice), its slices when it has one frame; for an image, the current
 * plane. Channels as for style references ({@link StyleReferences}): 3 or 4 channels of a composite are one colour
 * frame, otherwise the current channel is used; 16- and 32-bit values are scaled to 8 bits from the clip's minimum and
 * maximum ({@link StyleImages#frames}). Each frame is resized to the generation size ({@link SourceSize}) as soon as it
 * is converted, so the clip is never held twice at its own size.
 */
final class SourceImages {

	/**
	 * A source read for a run.
	 *
	 * @param image the source image
	 * @param settings the run's settings: the source's frame count (video) and the generation size
	 * @param source the frames at the generation size, the strength and the name, for the pipeline
	 * @param slices whether the clip is the image's slices (it has one time frame), not its frames
	 */
	record Chosen(ImagePlus image, GenerationSettings settings, StyleCrafterPipeline.Source source, boolean slices) {}

	private SourceImages() {}

	/**
	 * Reads the source titled {@code title} for a run of {@code s}, everything checked before the model loads.
	 *
	 * @param width the width the user gave, or {@code null} for the size rule of {@link SourceSize}
	 * @param height the height the user gave, or {@code null}
	 * @throws IllegalArgumentException naming what is wrong (no such image, strength, too many frames, too large)
	 */
	static Chosen read(String title, double strength, GenerationSettings s, Integer width, Integer height) {
		if (!(strength > 0 && strength <= 1)) {
			throw new IllegalArgumentException("strength " + strength + " is out of range; allowed: more than 0 up to 1 (0.6 keeps the source's layout, 1 keeps least)");
		}
		ImagePlus imp = StyleReferences.byTitle(title, "the source to restyle (source)");
		String name = "the source '" + imp.getTitle() + "'";
		if (imp.getStackSize() < 1 || imp.getWidth() < 1 || imp.getHeight() < 1) throw new IllegalArgumentException(name + " is empty");
		boolean video = s.mode() == Mode.VIDEO, slices = video && imp.getNFrames() == 1;
		int count = !video ? 1 : slices ? imp.getNSlices() : imp.getNFrames();
		if (count > GenerationSettings.MAX_FRAMES) {
			throw new IllegalArgumentException(name + " has " + count + (slices ? " slices" : " time frames") + "; at most " + GenerationSettings.MAX_FRAMES
				+ " can be restyled at once: restyle a part of it (Image > Stacks > Tools > Make Substack...)");
		}
		SourceSize size = SourceSize.of(s.mode(), imp.getWidth(), imp.getHeight(), width, height);
		size.checkMemory(count, imp.getWidth(), imp.getHeight(), SourceSize.freeHeap(), name);
		GenerationSettings.Builder b = s.toBuilder().width(size.width()).height(size.height());
		if (video) b.frames(count);
		GenerationSettings settings = b.build();
		// the core's Pillow-exact bilinear filter (averaging over the source pixels when it shrinks), as the command line
		// resizes the same source: a clip restyled in Fiji and by the command line starts from the same frames
		List<RgbImage> frames = convert(imp, count, slices, video, name, f -> PilResize.bilinear(f, size.width(), size.height()));
		return new Chosen(imp, settings, new StyleCrafterPipeline.Source(frames, strength, imp.getTitle()), slices);
	}

	private static List<RgbImage> convert(ImagePlus imp, int count, boolean slices, boolean video, String name, java.util.function.UnaryOperator<RgbImage> fit) {
		ImageStack stack = imp.getStack();
		boolean composite = StyleReferences.isComposite(imp);
		List<RandomAccessibleInterval<?>> planes = new ArrayList<>();
		List<RgbImage> lut = new ArrayList<>();
		for (int k = 1; k <= count; k++) {
			int z = !video ? imp.getZ() : slices ? k : imp.getZ(), t = !video ? imp.getT() : slices ? 1 : k;
			if (composite) {
				List<RandomAccessibleInterval<?>> channels = new ArrayList<>();
				for (int c = 1; c <= imp.getNChannels(); c++) channels.add(StyleReferences.wrap(stack.getProcessor(imp.getStackIndex(c, z, t)), false));
				planes.add(StyleReferences.stackOf(channels)); // [x, y, c]
			}
			else if (imp.getType() == ImagePlus.COLOR_256) { // converted to RGB plane by plane: one converted copy at a time
				lut.addAll(StyleImages.frames(StyleReferences.wrap(stack.getProcessor(imp.getStackIndex(imp.getC(), z, t)), true), false, name, fit));
			}
			else planes.add(StyleReferences.wrap(stack.getProcessor(imp.getStackIndex(imp.getC(), z, t)), false)); // views, no copies
		}
		if (!lut.isEmpty()) return lut;
		return StyleImages.frames(StyleReferences.stackOf(planes), composite, name, fit); // [x, y, (c,) frame]
	}

	/**
	 * The result laid over the source: each frame resized back to the source's size with ImageJ's own bilinear
	 * interpolation, averaging when it shrinks (what Image > Scale does, so it looks as a user's own rescale would),
	 * frames (or slices) as the source has them, and the source's calibration (pixel size, units, frame interval).
	 */
	static ImagePlus fitBack(ImagePlus result, Chosen src) {
		ImagePlus imp = src.image();
		int w = imp.getWidth(), h = imp.getHeight(), n = result.getStackSize();
		if (result.getWidth() != w || result.getHeight() != h) {
			ImageStack in = result.getStack(), out = new ImageStack(w, h);
			for (int i = 1; i <= n; i++) {
				ImageProcessor ip = in.getProcessor(i);
				ip.setInterpolationMethod(ImageProcessor.BILINEAR);
				out.addSlice(in.getSliceLabel(i), ip.resize(w, h, true));
			}
			result.setStack(out);
		}
		if (n > 1) {
			if (src.slices()) result.setDimensions(1, n, 1);
			else result.setDimensions(1, 1, n);
		}
		result.setCalibration(imp.getCalibration().copy());
		return result;
	}
}
