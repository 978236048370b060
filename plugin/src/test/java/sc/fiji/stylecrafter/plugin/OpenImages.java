package sc.fiji.stylecrafter.plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.WindowManager;
import ij.macro.Interpreter;
import ij.process.ByteProcessor;
import ij.process.ColorProcessor;

import java.nio.file.Path;

/**
 * Open ImageJ images for tests without a display: ImageJ keeps them as batch-mode images, as it does in a headless
 * Fiji, so that commands find them by title.
 */
final class OpenImages {

	private OpenImages() {}

	/** Shows the image in batch mode (it becomes an open image with its title). */
	static ImagePlus open(ImagePlus imp) {
		Interpreter.batchMode = true;
		imp.show();
		return imp;
	}

	/** A PNG as ImageJ opens it (RGB), under the given title. */
	static ImagePlus openPng(Path png, String title) {
		ImagePlus imp = IJ.openImage(png.toString());
		imp.setTitle(title);
		return open(imp);
	}

	/** A PNG as a 3-channel 8-bit composite image (what "Make Composite" gives), under the given title. */
	static ImagePlus openComposite(Path png, String title) {
		ImagePlus rgb = IJ.openImage(png.toString());
		ColorProcessor cp = (ColorProcessor) rgb.getProcessor();
		int w = cp.getWidth(), h = cp.getHeight();
		byte[] r = new byte[w * h], g = new byte[w * h], b = new byte[w * h];
		cp.getRGB(r, g, b);
		ImageStack s = new ImageStack(w, h);
		s.addSlice("red", new ByteProcessor(w, h, r));
		s.addSlice("green", new ByteProcessor(w, h, g));
		s.addSlice("blue", new ByteProcessor(w, h, b));
		ImagePlus imp = new ImagePlus(title, s);
		imp.setDimensions(3, 1, 1);
		return open(imp);
	}

	/** Closes every open image and leaves batch mode. */
	static void closeAll() {
		int[] ids = WindowManager.getIDList();
		if (ids != null) {
			for (int id : ids) {
				ImagePlus imp = WindowManager.getImage(id);
				if (imp != null) {
					imp.changes = false;
					imp.close();
				}
			}
		}
		Interpreter.batchMode = false;
		for (Thread t : Thread.getAllStackTraces().keySet()) WindowManager.setTempCurrentImage(t, null);
	}
}
