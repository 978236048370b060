package sc.fiji.stylecrafter.plugin;

import ij.ImagePlus;
import ij.ImageStack;
import ij.WindowManager;
import ij.process.ImageProcessor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.view.Views;

import sc.fiji.stylecrafter.image.RgbImage;
import sc.fiji.stylecrafter.image.StylePreprocessor;

/**
 * Style references from open ImageJ images, chosen by title. The rule: every slice, frame and extra image is one
 * reference, whatever its bit depth, unless the image has a real channel axis of 3 or 4 channels (a composite
 * image): then each slice/frame position is one colour reference made of its channels (a fourth, alpha, is dropped).
 * An RGB image's planes are colour references; an 8-bit image with a colour lookup table is taken in its colours. The
 * pixels are wrapped as ImgLib2 images without copying and converted by {@link StyleImages}.
 */
public final class StyleReferences {

	/** The choice that means "no further reference". */
	public static final String NONE = "none";

	private StyleReferences() {}

	/** Titles of the open images (batch-mode images included), in ImageJ's order. */
	public static List<String> openTitles() {
		String[] titles = WindowManager.getImageTitles();
		return titles == null ? List.of() : Arrays.asList(titles);
	}

	/** Offers {@code values} as the choices of a command's text input (a dialog's list of open images). */
	static void choices(org.scijava.command.DynamicCommand command, String input, List<String> values) {
		org.scijava.module.MutableModuleItem<String> item = command.getInfo().getMutableInput(input, String.class);
		if (item != null) item.setChoices(values);
	}

	/** The title of the current image ({@link #current()}), or {@code null}. */
	public static String currentTitle() {
		ImagePlus imp = current();
		return imp == null ? null : imp.getTitle();
	}

	/**
	 * The current image of the user, or {@code null}: while a macro runs, the macro's current image. ImageJ keeps a
	 * macro's current image per thread ({@code selectImage} and {@code newImage} in batch mode, so always when headless),
	 * and a SciJava command runs on a thread of its own, where {@link WindowManager#getCurrentImage()} gives the image
	 * shown last instead. ImageJ has no public way to ask for another thread's current image, so this reads its table
	 * of them (the thread that called {@code run} is renamed {@code Run$_...} by ImageJ while the command runs); if that
	 * ever fails, the image shown last is the answer, as before.
	 */
	public static ImagePlus current() {
		if (ij.IJ.isMacro()) {
			try {
				java.lang.reflect.Field f = WindowManager.class.getDeclaredField("tempImageTable");
				f.setAccessible(true);
				java.util.Map<?, ?> table = (java.util.Map<?, ?>) f.get(null);
				if (table != null) {
					List<ImagePlus> found = new java.util.ArrayList<>();
					synchronized (table) {
						for (java.util.Map.Entry<?, ?> e : table.entrySet()) {
							if (e.getKey() instanceof Thread t && t.getName().startsWith("Run$_") && e.getValue() instanceof ImagePlus imp) found.add(imp);
						}
					}
					if (found.size() == 1) return found.get(0);
				}
			}
			catch (ReflectiveOperationException | RuntimeException e) {
				// another ImageJ version: the image shown last
			}
		}
		return WindowManager.getCurrentImage();
	}

	/** The open image of this title. */
	public static ImagePlus byTitle(String title, String what) {
		if (title == null || title.isBlank() || title.equals(NONE)) throw new IllegalArgumentException("no " + what + " was chosen");
		ImagePlus imp = WindowManager.getImage(title);
		if (imp == null) {
			List<String> open = openTitles();
			throw new IllegalArgumentException("there is no open image titled '" + title + "' for " + what + "; "
				+ (open.isEmpty() ? "no image is open: open the style image first" : "open images: " + String.join(", ", open)));
		}
		return imp;
	}

	/** How many references an image gives, by the rule above (cheap: nothing is converted). */
	public static int count(ImagePlus imp) {
		return isComposite(imp) ? imp.getNSlices() * imp.getNFrames() : imp.getStackSize();
	}

	/**
	 * The references of one image (its size and number of references checked by {@link StyleImages#fromImage}), each
	 * reduced to the style crop as soon as it is converted (the pipeline's own crop of a crop changes nothing), so a
	 * stack of 16 planes of 16384x16384 pixels needs one converted plane at a time, not sixteen.
	 */
	public static List<RgbImage> of(ImagePlus imp, String name) {
		ImageStack stack = imp.getStack();
		if (isComposite(imp)) {
			List<RandomAccessibleInterval<?>> refs = new ArrayList<>();
			for (int t = 1; t <= imp.getNFrames(); t++) {
				for (int z = 1; z <= imp.getNSlices(); z++) {
					List<RandomAccessibleInterval<?>> channels = new ArrayList<>();
					for (int c = 1; c <= imp.getNChannels(); c++) channels.add(wrap(stack.getProcessor(imp.getStackIndex(c, z, t)), false));
					refs.add(stackOf(channels)); // [x, y, c]
				}
			}
			return StyleImages.fromImage(stackOf(refs), true, name, StylePreprocessor::styleCrop); // [x, y, c, reference]
		}
		if (imp.getType() == ImagePlus.COLOR_256) { // converted plane by plane: only one converted copy at a time
			StyleImages.checkCount(stack.getSize(), name);
			List<RgbImage> out = new ArrayList<>();
			for (int i = 1; i <= stack.getSize(); i++) out.addAll(StyleImages.fromImage(wrap(stack.getProcessor(i), true), false, name, StylePreprocessor::styleCrop));
			return out;
		}
		List<RandomAccessibleInterval<?>> planes = new ArrayList<>();
		for (int i = 1; i <= stack.getSize(); i++) planes.add(wrap(stack.getProcessor(i), false)); // views of the pixels, no copies
		return StyleImages.fromImage(stackOf(planes), false, name, StylePreprocessor::styleCrop); // [x, y, reference]
	}

	/** Gray 3- or 4-channel images; an RGB image already is colour. */
	static boolean isComposite(ImagePlus imp) {
		int c = imp.getNChannels();
		return imp.getType() != ImagePlus.COLOR_RGB && (c == 3 || c == 4);
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	static RandomAccessibleInterval<?> stackOf(List<RandomAccessibleInterval<?>> planes) {
		return Views.stack((List) planes);
	}

	/** A plane's pixels as an ImgLib2 image without a copy (a colour-LUT plane converted to RGB). */
	static RandomAccessibleInterval<?> wrap(ImageProcessor ip, boolean colourLut) {
		int w = ip.getWidth(), h = ip.getHeight();
		if (colourLut) return ArrayImgs.argbs((int[]) ip.convertToRGB().getPixels(), w, h);
		Object px = ip.getPixels();
		if (px instanceof byte[]) return ArrayImgs.unsignedBytes((byte[]) px, w, h);
		if (px instanceof short[]) return ArrayImgs.unsignedShorts((short[]) px, w, h);
		if (px instanceof float[]) return ArrayImgs.floats((float[]) px, w, h);
		if (px instanceof int[]) return ArrayImgs.argbs((int[]) px, w, h);
		throw new IllegalArgumentException("pixels of type " + px.getClass().getSimpleName() + " cannot be a style reference");
	}
}
