package sc.fiji.stylecrafter.plugin;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.WindowManager;
import ij.gui.ImageWindow;
import ij.macro.Interpreter;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;

import java.awt.GraphicsEnvironment;
import java.awt.Point;

import org.scijava.thread.ThreadService;

import sc.fiji.stylecrafter.pipeline.LatentPreview;
import sc.fiji.stylecrafter.pipeline.StepListener;

/**
 * Puts results where ImageJ users and macros find them. A result is shown through ImageJ itself, so it is the current
 * image when the command returns: a window with a display, a batch-mode image in a batch or headless macro (where
 * {@code selectImage(title)}, {@code getTitle()} and {@code saveAs} reach it). The command runs on a thread of its
 * own, and ImageJ keeps the current image of a batch macro per thread, so the result is also made current for the
 * threads that started the command (the macro's). Outside ImageJ (a bare SciJava context, headless, no macro) nothing
 * is shown and the result is only the command's output.
 */
final class ResultDisplay {

	private ResultDisplay() {}

	/** Whether ImageJ can show an image here: a macro, batch mode, or a display. */
	static boolean canShow() {
		return IJ.isMacro() || Interpreter.isBatchMode() || !GraphicsEnvironment.isHeadless() && IJ.getInstance() != null;
	}

	/**
	 * Shows the result (where the preview window was, if there was one) and makes it current.
	 *
	 * @return whether it was shown (then no other display of it is needed)
	 */
	static boolean show(ImagePlus result, Preview preview, ThreadService threads) {
		Point where = preview == null ? null : preview.location();
		if (preview != null) preview.close();
		if (!canShow()) return false;
		result.show();
		ImageWindow win = result.getWindow();
		if (win != null && where != null) win.setLocation(where);
		if (Interpreter.isBatchMode() || win == null) {
			for (Thread t = Thread.currentThread(); t != null; t = threads == null ? null : threads.getParent(t)) WindowManager.setTempCurrentImage(t, result);
		}
		return true;
	}

	/**
	 * A live preview window: the sampler's current estimate of the result, mapped from the latent to RGB without the
	 * VAE ({@link LatentPreview}), scaled to the result's size. Shown only with a display and outside batch mode.
	 */
	static final class Preview implements StepListener {

		/** The share of the run's time the preview may take; updates are skipped while it has used more. */
		static final double MAX_SHARE = 0.02;

		private final String title;
		private final int width, height;
		private final long start = System.nanoTime();
		private long spent;
		private ImagePlus imp;

		Preview(String title, int width, int height) {
			this.title = "Preview of " + title;
			this.width = width;
			this.height = height;
		}

		static boolean possible() {
			return !GraphicsEnvironment.isHeadless() && !Interpreter.isBatchMode() && IJ.getInstance() != null;
		}

		@Override
		public void step(Step step) {
			long t0 = System.nanoTime();
			if (step.index() < step.total() && spent > MAX_SHARE * (t0 - start)) return; // too costly for now: skip this update (and its read)
			update(step.index(), step.total(), step.preview());
			spent += System.nanoTime() - t0;
		}

		private void update(int step, int total, LatentPreview p) {
			ImageStack stack = new ImageStack(width, height);
			for (int f = 0; f < p.frames(); f++) {
				ImageProcessor ip = new ColorProcessor(p.width(), p.height(), p.argb()[f]);
				ip.setInterpolationMethod(ImageProcessor.BILINEAR);
				stack.addSlice("step " + step + "/" + total, ip.resize(width, height));
			}
			if (imp == null) {
				imp = new ImagePlus(title, stack);
				imp.show();
			}
			else {
				int slice = imp.getCurrentSlice();
				imp.setStack(stack);
				imp.setSlice(Math.min(slice, stack.getSize()));
			}
			imp.setTitle(title + " (step " + step + "/" + total + ")");
		}

		Point location() {
			ImageWindow win = imp == null ? null : imp.getWindow();
			return win == null ? null : win.getLocation();
		}

		void close() {
			if (imp != null) {
				imp.changes = false;
				imp.close();
				imp = null;
			}
		}
	}
}
