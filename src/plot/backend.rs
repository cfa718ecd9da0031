//! One drawing backend for every chart: a bitmap (PNG) or an SVG document.
//!
//! The charts are written once against [`Canvas`]; it forwards each primitive to
//! plotters' bitmap or SVG backend, so both formats come from the same chart code.
//! Charts lay out on a logical canvas (1200 × 750 by default); a bitmap may be drawn
//! `scale` times larger (for print resolutions) by scaling every coordinate, stroke
//! and font size on the way through, so the layout is the same at any resolution.

use plotters::prelude::{BitMapBackend, SVGBackend};
use plotters::style::{FontDesc, TextStyle};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

/// Any failure of the wrapped backend, as text (both backends' errors are foreign types).
#[derive(Debug)]
pub struct CanvasError(String);

impl std::fmt::Display for CanvasError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CanvasError {}

fn conv<E: std::error::Error + Send + Sync>(
    e: DrawingErrorKind<E>,
) -> DrawingErrorKind<CanvasError> {
    match e {
        DrawingErrorKind::DrawingError(e) => {
            DrawingErrorKind::DrawingError(CanvasError(e.to_string()))
        }
        DrawingErrorKind::FontError(e) => DrawingErrorKind::FontError(e),
    }
}

pub enum Canvas<'a> {
    /// A bitmap whose logical size is the buffer's divided by `scale`.
    Bitmap {
        inner: BitMapBackend<'a>,
        scale: f64,
    },
    Svg(SVGBackend<'a>),
}

/// A stroke with its width scaled.
struct Stroke {
    color: BackendColor,
    width: u32,
}

impl BackendStyle for Stroke {
    fn color(&self) -> BackendColor {
        self.color
    }
    fn stroke_width(&self) -> u32 {
        self.width
    }
}

impl Canvas<'_> {
    fn scale(&self) -> f64 {
        match self {
            Canvas::Bitmap { scale, .. } => *scale,
            Canvas::Svg(_) => 1.0,
        }
    }
    fn pt(&self, p: BackendCoord) -> BackendCoord {
        let s = self.scale();
        if s == 1.0 {
            p
        } else {
            (
                (p.0 as f64 * s).round() as i32,
                (p.1 as f64 * s).round() as i32,
            )
        }
    }
    fn stroke<S: BackendStyle>(&self, style: &S) -> Stroke {
        Stroke {
            color: style.color(),
            width: ((style.stroke_width() as f64 * self.scale()).round() as u32)
                .max(style.stroke_width().min(1)),
        }
    }
}

impl DrawingBackend for Canvas<'_> {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        match self {
            Canvas::Bitmap { inner, scale } => {
                let (w, h) = inner.get_size();
                (
                    (w as f64 / scale).round() as u32,
                    (h as f64 / scale).round() as u32,
                )
            }
            Canvas::Svg(b) => b.get_size(),
        }
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        match self {
            Canvas::Bitmap { inner, .. } => inner.ensure_prepared().map_err(conv),
            Canvas::Svg(b) => b.ensure_prepared().map_err(conv),
        }
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        match self {
            Canvas::Bitmap { inner, .. } => inner.present().map_err(conv),
            Canvas::Svg(b) => b.present().map_err(conv),
        }
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        match self {
            Canvas::Bitmap { inner, scale } if *scale != 1.0 => {
                let s = *scale;
                let a = ((point.0 as f64 * s) as i32, (point.1 as f64 * s) as i32);
                let b = (
                    ((point.0 + 1) as f64 * s) as i32 - 1,
                    ((point.1 + 1) as f64 * s) as i32 - 1,
                );
                inner.draw_rect(a, b, &color, true).map_err(conv)
            }
            Canvas::Bitmap { inner, .. } => inner.draw_pixel(point, color).map_err(conv),
            Canvas::Svg(b) => b.draw_pixel(point, color).map_err(conv),
        }
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let (from, to, st) = (self.pt(from), self.pt(to), self.stroke(style));
        match self {
            Canvas::Bitmap { inner, .. } => inner.draw_line(from, to, &st).map_err(conv),
            Canvas::Svg(b) => b.draw_line(from, to, style).map_err(conv),
        }
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let st = self.stroke(style);
        let s = self.scale();
        match self {
            Canvas::Bitmap { inner, .. } if s != 1.0 => {
                // Scale the pixel cells, so adjacent cells still touch.
                let a = (
                    (upper_left.0 as f64 * s) as i32,
                    (upper_left.1 as f64 * s) as i32,
                );
                let b = (
                    ((bottom_right.0 + 1) as f64 * s) as i32 - 1,
                    ((bottom_right.1 + 1) as f64 * s) as i32 - 1,
                );
                inner.draw_rect(a, b, &st, fill).map_err(conv)
            }
            Canvas::Bitmap { inner, .. } => inner
                .draw_rect(upper_left, bottom_right, style, fill)
                .map_err(conv),
            Canvas::Svg(b) => b
                .draw_rect(upper_left, bottom_right, style, fill)
                .map_err(conv),
        }
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let pts: Vec<BackendCoord> = path.into_iter().map(|p| self.pt(p)).collect();
        let st = self.stroke(style);
        match self {
            Canvas::Bitmap { inner, .. } => inner.draw_path(pts, &st).map_err(conv),
            Canvas::Svg(b) => b.draw_path(pts, style).map_err(conv),
        }
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let (c, st, s) = (self.pt(center), self.stroke(style), self.scale());
        match self {
            Canvas::Bitmap { inner, .. } => {
                let r = (radius as f64 * s).round() as u32;
                inner.draw_circle(c, r, &st, fill).map_err(conv)
            }
            Canvas::Svg(b) => b.draw_circle(center, radius, style, fill).map_err(conv),
        }
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let pts: Vec<BackendCoord> = vert.into_iter().map(|p| self.pt(p)).collect();
        match self {
            Canvas::Bitmap { inner, .. } => inner.fill_polygon(pts, style).map_err(conv),
            Canvas::Svg(b) => b.fill_polygon(pts, style).map_err(conv),
        }
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let s = self.scale();
        let p = self.pt(pos);
        match self {
            Canvas::Bitmap { inner, .. } if s != 1.0 => {
                let family = style.family();
                let font = FontDesc::new(family, style.size() * s, style.style())
                    .transform(style.transform());
                let scaled = TextStyle {
                    font,
                    color: style.color(),
                    pos: style.anchor(),
                };
                inner.draw_text(text, &scaled, p).map_err(conv)
            }
            Canvas::Bitmap { inner, .. } => inner.draw_text(text, style, pos).map_err(conv),
            Canvas::Svg(b) => b.draw_text(text, style, pos).map_err(conv),
        }
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        // Sizes are asked in logical pixels, whatever the output resolution.
        match self {
            Canvas::Bitmap { inner, .. } => inner.estimate_text_size(text, style).map_err(conv),
            Canvas::Svg(b) => b.estimate_text_size(text, style).map_err(conv),
        }
    }
}
